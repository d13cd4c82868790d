using Perf.Bench.Memory;

return args.FirstOrDefault() switch
{
    "child" => await Child.RunAsync(ChildOptions.Parse(args.Skip(1))),
    _ => await Orchestrator.RunAsync(args),
};
