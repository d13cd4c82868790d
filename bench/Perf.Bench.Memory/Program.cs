using Perf.Bench.Memory;

return args.FirstOrDefault() switch
{
    "child" => await Child.RunAsync(ChildOptions.Parse(args.Skip(1))),
    "micro" => PrintMicro(),
    _ => await Orchestrator.RunAsync(args),
};

static int PrintMicro()
{
    foreach (var (piece, bytes) in Micro.Run()) Console.WriteLine($"{bytes,8:F0}  {piece}");
    return 0;
}
