using Encore.Bench;

// `dotnet run -c Release --project bench/Encore.Bench -- <benchmark> [options]`; with no argument, lists them.
var benchmarks = BenchCatalog.All.ToDictionary(b => b.Name, StringComparer.OrdinalIgnoreCase);
if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var bench))
{
    Console.Error.WriteLine("usage: Encore.Bench <benchmark> [options]");
    foreach (var b in BenchCatalog.All) Console.Error.WriteLine($"  {b.Name,-16} {b.Description}");
    return args.Length == 0 ? 0 : 2;
}
return await bench.RunAsync(args[1..]);
