using BenchmarkDotNet.Running;
using Monitoring.Benchmarks;
using Monitoring.Stats.Kernels;

// dotnet run -c Release --project tests/Monitoring.Benchmarks -- --filter '*'
Console.WriteLine($"// Monitoring.Stats SIMD: {SimdInfo.Describe()}");
BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly).Run(args, BenchConfig.Create());
