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
var criuCaps = new Option<string?>(CriuCaps.OptionName)
{
    Description = "The capabilities criu is assumed to run with: self (default: this checker's uid, gid and CapEff), file (the criu on PATH "
        + "exec'ed from here, with its file capabilities), all (every capability, this uid), root (uid 0, every capability), or capability "
        + "names separated by commas (sys_admin,checkpoint_restore), optionally after self/all/file and with +/- (all,-sys_resource). Ours, not criu's.",
};
root.Options.Add(criuCaps);
var container = new Option<string?>("--container") { Description = "Judge a container (Docker, Podman, containerd, CRI-O, Kubernetes) by ID, name or unique ID prefix, as its runtime's checkpoint would." };
root.Options.Add(container);

var fdinfoPid = new Argument<int>("PID") { Description = "Root of the tree whose descriptors to show." };
var fdinfo = new Command("fdinfo", "Each fd's kernel fdinfo lines followed by `checkpointable: 1` or `checkpointable: 0 (reason)`.");
fdinfo.Arguments.Add(fdinfoPid);
fdinfo.Options.Add(json);
fdinfo.Options.Add(criuCaps);
root.Subcommands.Add(fdinfo);

var listen = new Option<string?>("--listen") { Description = $"IP:PORT to listen on (default {Checkpointable.Cli.Serve.ServeSettings.DefaultListen}; loopback unless told otherwise)." };
var minAge = new Option<double?>("--min-age") { Description = "Seconds a host scan is reused by later scrapes (default 2)." };
var maxScans = new Option<int?>("--max-scans") { Description = "Process or container scans that may run at once (default 2); more requests wait, then get 503." };
var processMetrics = new Option<bool>("--process-metrics") { Description = "Also export a per-process gauge (one series per PID: a cardinality hazard)." };
var serve = new Command("serve", "HTTP agent: GET /metrics (Prometheus), /healthz, /v1/processes/PID and /v1/containers/ID (the CLI's JSON). Read-only.");
serve.Options.Add(listen);
serve.Options.Add(minAge);
serve.Options.Add(maxScans);
serve.Options.Add(processMetrics);
serve.Options.Add(criuCaps);
root.Subcommands.Add(serve);
serve.SetAction(r => Guard(() => Checkpointable.Cli.Serve.ServeCommand.Run(
    Checkpointable.Cli.Serve.ServeSettings.From(r.GetValue(listen), r.GetValue(minAge), r.GetValue(maxScans), r.GetValue(processMetrics)) with { CriuCaps = Caps(r) },
    criuTokens, stdout)));

// watch and wait: transitions over time, and blocking until a tree is checkpointable.
var interval = new Option<string>("--interval") { Description = "Time between two looks: 500ms, 1s (default), 2m, or seconds.", DefaultValueFactory = _ => "1s" };
var watch = new Command("watch", "Print one line per transition (a tree, subsystem or resource going 1 -> 0 or 0 -> 1, a process appearing or exiting), with a UTC timestamp; without -t, every process of the host.");
watch.Options.Add(tree);
watch.Options.Add(json);
watch.Options.Add(interval);
watch.Options.Add(criuCaps);
root.Subcommands.Add(watch);
var timeout = new Option<string?>("--timeout") { Description = "Give up after this long (exit 1, printing the blockers left): 30s, 2m, 500ms, or seconds. Default: no limit." };
var wait = new Command("wait", "Block until the tree is checkpointable with the given criu options (exit 0); exit 1 on timeout, 2 if the tree exits.");
wait.Options.Add(tree);
wait.Options.Add(timeout);
wait.Options.Add(interval);
wait.Options.Add(criuCaps);
root.Subcommands.Add(wait);

int Guard(Func<int> action)
{
    try
    {
        return action();
    }
    catch (Exception e) when (e is UserFacingException or TargetException or CriuOptionException or CriuCapsException)
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

// --criu-caps is parsed inside Guard (by each action) so that a bad value is one line on stderr and exit 2.
CriuCaps Caps(ParseResult r) => r.GetValue(criuCaps) is { } value ? CriuCaps.Parse(value) : CriuCaps.Self;

root.SetAction(r =>
{
    int? target = r.GetValue(tree) ?? r.GetValue(pid);
    if (r.GetValue(tree) is not null && r.GetValue(pid) is not null && r.GetValue(tree) != r.GetValue(pid))
    {
        Console.Error.WriteLine("checkpointable: two different PIDs given (-t and a positional PID)");
        return ExitCodes.Error;
    }

    if (r.GetValue(container) is { } id)
    {
        if (target is not null)
        {
            Console.Error.WriteLine("checkpointable: give either a PID or --container, not both");
            return ExitCodes.Error;
        }

        return Guard(() => ContainerCommand.Run(id, r.GetValue(json), criuTokens, Caps(r), stdout));
    }

    return Guard(() => target is { } p
        ? CheckCommand.Run(p, r.GetValue(json), criuTokens, Caps(r), stdout)
        : HostCommand.Run(r.GetValue(json), criuTokens, Caps(r), stdout));
});
fdinfo.SetAction(r => Guard(() => FdInfoCommand.Run(r.GetValue(fdinfoPid), r.GetValue(json), criuTokens, Caps(r), stdout)));
watch.SetAction(r => Guard(() => WatchCommand.Run(r.GetValue(tree), r.GetValue(json), r.GetValue(interval)!, criuTokens, Caps(r), stdout)));
wait.SetAction(r => Guard(() => r.GetValue(tree) is { } p
    ? WaitCommand.Run(p, r.GetValue(timeout), r.GetValue(interval)!, criuTokens, Caps(r), stdout)
    : throw new UserFacingException("wait needs -t PID")));

// mount DIR: the seed's files served by FUSE, computed when read (issue 3).
var mountDir = new Argument<string>("DIR") { Description = "Empty directory to mount on." };
var allowOther = new Option<bool>("--allow-other") { Description = "Let other users in; each sees only the processes whose /proc/PID/fd it could read." };
var daemon = new Option<bool>("--daemon") { Description = "Detach once mounted (default: stay in the foreground until SIGINT/SIGTERM or `fusermount3 -u DIR`)." };
var mount = new Command("mount", "Serve DIR/PID/checkpointable, DIR/PID/fdinfo/N, DIR/PID/reasons, DIR/PID/checkpointable.json and DIR/checkpointable (FUSE, read-only, computed when read).");
mount.Arguments.Add(mountDir);
mount.Options.Add(allowOther);
mount.Options.Add(daemon);
mount.Options.Add(criuCaps);
root.Subcommands.Add(mount);
mount.SetAction(r => Guard(() => MountCommand.Run(r.GetValue(mountDir)!, r.GetValue(allowOther), r.GetValue(daemon), criuTokens, Caps(r))));

if (ArgumentSplitter.Unknown(ours) is { } unknown)
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
