using Xunit;

namespace StaticConvNet.Tests.Support;

/// <summary>The tests that nothing else may run beside: <see cref="Runtime.Test_CoreTeam"/> and
/// <see cref="Runtime.Test_LayoutCopies"/> check which thread runs each half of a job, and any other test's team job
/// would (correctly) make a half run on the calling thread instead;
/// <see cref="Runtime.Test_TrainingCompilesNothing"/> needs the runtime to recompile hot methods, which it does only
/// after 100 ms in which nothing new was compiled, and other tests' compiling would put that off as long as they run.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;
