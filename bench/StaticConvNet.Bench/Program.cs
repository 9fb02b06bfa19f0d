using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/StaticConvNet.Bench -- --filter '*'
// (see docs/performance.md for the results and how they were taken)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
