using System.Reflection;
using System.Runtime.Intrinsics;
using StaticConvNet.Tests;

// Runs every [Fact], [SkippableFact] and [Theory] of the linked test classes and closes with "N passed, N failed".
// Usage: StaticConvNet.KernelCheck [name filter]
Console.WriteLine($"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}: Vector512 {Vector512.IsHardwareAccelerated}, "
    + $"Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}, "
    + $"AdvSimd {System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported}, Fma (x64) {System.Runtime.Intrinsics.X86.Fma.IsSupported}");
var outcome = TestRunner.Run(typeof(TestRunner).Assembly, args.FirstOrDefault());
Console.WriteLine($"{outcome.Passed} passed, {outcome.Failed} failed, {outcome.Skipped} skipped");
return outcome.Failed == 0 && outcome.Passed > 0 ? 0 : 1;
