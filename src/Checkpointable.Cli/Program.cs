using System.CommandLine;
using Checkpointable.Cli;
using Checkpointable.Cli.Commands;
using Checkpointable.Options;
using Checkpointable.Predict;

// Entry point: split criu's options from ours, build the command tree, map every failure to one line.
var (ours, criuTokens) = ArgumentSplitter.Split(args);
var stdout = Console.Out;

var tree = new Option<int?>("--tree", "-t") { Description = "Root of the process tree to judge, as in `criu dump -t PID`." };
var json = new Option<bool>("--json") { Description = "Print JSON (schema checkpointable/v1) instead of text." };
var pid = new Argument<int?>("PID") { Description = "Same as -t PID.", Arity = ArgumentArity.ZeroOrOne };

var root = new RootCommand(
    "Predict whether `criu dump -t PID` would succeed, why not, and which criu options would make it work.\n" +
    "Reads /proc and sock_diag only: the target is never ptraced, signalled or frozen.\n" +
    "Any `criu dump` option is accepted (e.g. --tcp-established, --shell-job, --ghost-limit 10M, --external unix[INO]);\n" +
    "criu's config files are read unless --no-default-config. Without a PID, every process of the host is listed.\n" +
    "Exit status: 0 checkpointable, 1 not checkpointable, 2 usage or runtime error, 3 undecided.");
root.Options.Add(tree);
root.Options.Add(json);
root.Arguments.Add(pid);

var fdinfoPid = new Argument<int>("PID") { Description = "Root of the tree whose descriptors to show." };
var fdinfo = new Command("fdinfo", "Each fd's kernel fdinfo lines followed by `checkpointable: 1` or `checkpointable: 0 (reason)`.");
fdinfo.Arguments.Add(fdinfoPid);
fdinfo.Options.Add(json);
root.Subcommands.Add(fdinfo);

// watch and wait: transitions over time, and blocking until a tree is checkpointable.
var interval = new Option<string>("--interval") { Description = "Time between two looks: 500ms, 1s (default), 2m, or seconds.", DefaultValueFactory = _ => "1s" };
var watch = new Command("watch", "Print one line per transition (a tree, subsystem or resource going 1 -> 0 or 0 -> 1, a process appearing or exiting), with a UTC timestamp; without -t, every process of the host.");
watch.Options.Add(tree);
watch.Options.Add(json);
watch.Options.Add(interval);
root.Subcommands.Add(watch);
var timeout = new Option<string?>("--timeout") { Description = "Give up after this long (exit 1, printing the blockers left): 30s, 2m, 500ms, or seconds. Default: no limit." };
var wait = new Command("wait", "Block until the tree is checkpointable with the given criu options (exit 0); exit 1 on timeout, 2 if the tree exits.");
wait.Options.Add(tree);
wait.Options.Add(timeout);
wait.Options.Add(interval);
root.Subcommands.Add(wait);

int Guard(Func<int> action)
{
    try
    {
        return action();
    }
    catch (Exception e) when (e is UserFacingException or TargetException or CriuOptionException)
    {
        Console.Error.WriteLine($"checkpointable: {e.Message}");
        return ExitCodes.Error;
    }
    catch (Exception e)
    {
        Console.Error.WriteLine($"checkpointable: internal error: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
        return ExitCodes.Error;
    }
}

root.SetAction(r =>
{
    int? target = r.GetValue(tree) ?? r.GetValue(pid);
    if (r.GetValue(tree) is not null && r.GetValue(pid) is not null && r.GetValue(tree) != r.GetValue(pid))
    {
        Console.Error.WriteLine("checkpointable: two different PIDs given (-t and a positional PID)");
        return ExitCodes.Error;
    }

    return Guard(() => target is { } p
        ? CheckCommand.Run(p, r.GetValue(json), criuTokens, stdout)
        : HostCommand.Run(r.GetValue(json), criuTokens, stdout));
});
fdinfo.SetAction(r => Guard(() => FdInfoCommand.Run(r.GetValue(fdinfoPid), r.GetValue(json), criuTokens, stdout)));
watch.SetAction(r => Guard(() => WatchCommand.Run(r.GetValue(tree), r.GetValue(json), r.GetValue(interval)!, criuTokens, stdout)));
wait.SetAction(r => Guard(() => r.GetValue(tree) is { } p
    ? WaitCommand.Run(p, r.GetValue(timeout), r.GetValue(interval)!, criuTokens, stdout)
    : throw new UserFacingException("wait needs -t PID")));

if (ours.FirstOrDefault(a => a.Length > 1 && a[0] == '-' && !char.IsDigit(a[1]) && !ArgumentSplitter.IsOurs(a)) is { } unknown)
{
    Console.Error.WriteLine($"checkpointable: unrecognized option '{unknown}' (neither ours nor a criu dump option; see --help)");
    return ExitCodes.Error;
}

var parsed = root.Parse(ours);
if (parsed.Errors.Count > 0)
{
    Console.Error.WriteLine($"checkpointable: {parsed.Errors[0].Message} (see --help)");
    return ExitCodes.Error;
}

return parsed.Invoke();
