using System.Globalization;

namespace Checkpointable.Options;

/// <summary>Thrown for an option criu itself would reject; the message is criu's (one line).</summary>
public sealed class CriuOptionException(string message) : Exception(message);

/// <summary>
/// criu's own getopt_long table (criu/config.c, v4.2), so that any criu command line or config file
/// is read the way criu reads it: long options, unambiguous prefixes, --opt=value, --no-BOOL, the short
/// options "dSsRt:hD:o:v::x::Vr:jJ:lW:L:M:", bundling (-jl) and attached values (-v4, -x123).
/// </summary>
public static class CriuOptionParser
{
    private enum Arg
    {
        None,
        Required,
        Optional,
    }

    /// <summary>Long options that take no argument and have a --no- form (BOOL_OPT in config.c).</summary>
    private static readonly string[] s_bools =
    [
        "restore-detached", "restore-sibling", "daemon", "tcp-established", "log-pid", "evasive-devices", "link-remap",
        "shell-job", "file-locks", "page-server", "track-mem", "auto-dedup", "force-irmap", "extra", "experimental",
        "skip-in-flight", "deprecated", "display-stats", "weak-sysctls", "tcp-close", "stream", "tls",
        "skip-file-rwx-check", "mntns-compat-mode", "unprivileged", "ghost-fiemap", "allow-uprobes",
    ];

    private static readonly Dictionary<string, Arg> s_long = BuildLongTable();

    private static readonly Dictionary<char, (string Name, Arg Arg)> s_short = new()
    {
        ['d'] = ("restore-detached", Arg.None),
        ['S'] = ("restore-sibling", Arg.None),
        ['s'] = ("leave-stopped", Arg.None),
        ['R'] = ("leave-running", Arg.None),
        ['t'] = ("tree", Arg.Required),
        ['h'] = ("help", Arg.None),
        ['D'] = ("images-dir", Arg.Required),
        ['o'] = ("log-file", Arg.Required),
        ['v'] = ("verbosity", Arg.Optional),
        ['x'] = ("ext-unix-sk", Arg.Optional),
        ['V'] = ("version", Arg.None),
        ['r'] = ("root", Arg.Required),
        ['j'] = ("shell-job", Arg.None),
        ['J'] = ("join-ns", Arg.Required),
        ['l'] = ("file-locks", Arg.None),
        ['W'] = ("work-dir", Arg.Required),
        ['L'] = ("libdir", Arg.Required),
        ['M'] = ("ext-mount-map", Arg.Required),
    };

    private static Dictionary<string, Arg> BuildLongTable()
    {
        var table = new Dictionary<string, Arg>(StringComparer.Ordinal);
        foreach (var b in s_bools)
        {
            table[b] = Arg.None;
            table["no-" + b] = Arg.None;
        }

        foreach (var n in new[]
        {
            "tree", "images-dir", "work-dir", "log-file", "join-ns", "root", "close", "pidfile", "veth-pair",
            "action-script", "address", "port", "prev-images-dir", "libdir", "ext-mount-map", "cgroup-root",
            "inherit-fd", "feature", "skip-mnt", "enable-fs", "freeze-cgroup", "ghost-limit", "irmap-scan-path",
            "lsm-profile", "timeout", "external", "empty-ns", "cgroup-props", "cgroup-props-file",
            "cgroup-dump-controller", "status-fd", "ps-socket", "config", "tls-cacert", "tls-cacrl", "tls-cert",
            "tls-key", "cgroup-yard", "pre-dump-mode", "file-validation", "lsm-mount-context", "network-lock",
        })
        {
            table[n] = Arg.Required;
        }

        foreach (var n in new[]
        {
            "leave-stopped", "leave-running", "help", "version", "ms", "exec-cmd", "enable-external-sharing",
            "enable-external-masters", "lazy-pages", "all", "no-default-config", "tls-no-cn-verify",
        })
        {
            table[n] = Arg.None;
        }

        table["cpu-cap"] = Arg.Optional;
        table["manage-cgroups"] = Arg.Optional;
        table["verbosity"] = Arg.Optional;
        table["ext-unix-sk"] = Arg.Optional;
        return table;
    }

    /// <summary>True when <paramref name="token"/> is an option criu knows (used to split a command line).</summary>
    public static bool IsCriuOption(string token, out bool takesSeparateValue)
    {
        takesSeparateValue = false;
        if (token.StartsWith("--", StringComparison.Ordinal) && token.Length > 2)
        {
            string name = token[2..];
            int eq = name.IndexOf('=');
            bool attached = eq >= 0;
            if (attached)
            {
                name = name[..eq];
            }

            if (Resolve(name) is not { } full)
            {
                return false;
            }

            takesSeparateValue = !attached && s_long[full] == Arg.Required;
            return true;
        }

        if (token.Length >= 2 && token[0] == '-' && token[1] != '-')
        {
            for (int i = 1; i < token.Length; i++)
            {
                if (!s_short.TryGetValue(token[i], out var opt))
                {
                    return false;
                }

                if (opt.Arg != Arg.None)
                {
                    takesSeparateValue = opt.Arg == Arg.Required && i == token.Length - 1;
                    return true;
                }
            }

            return true;
        }

        return false;
    }

    /// <summary>Applies criu option tokens to <paramref name="options"/>, left to right (later wins, lists accumulate).</summary>
    public static void Apply(CriuOptions options, IReadOnlyList<string> tokens)
    {
        options.Tokens.AddRange(tokens.Where(t => t != "--no-default-config"));
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i];
            if (token.StartsWith("--", StringComparison.Ordinal) && token.Length > 2)
            {
                string name = token[2..];
                string? value = null;
                int eq = name.IndexOf('=');
                if (eq >= 0)
                {
                    value = name[(eq + 1)..];
                    name = name[..eq];
                }

                string full = Resolve(name) ?? throw new CriuOptionException($"unrecognized option '--{name}'");
                var arg = s_long[full];
                if (arg == Arg.None && value is not null)
                {
                    throw new CriuOptionException($"option '--{full}' doesn't allow an argument");
                }

                if (arg == Arg.Required && value is null)
                {
                    value = i + 1 < tokens.Count ? tokens[++i] : throw new CriuOptionException($"option '--{full}' requires an argument");
                }

                Set(options, full, value, token);
            }
            else if (token.Length >= 2 && token[0] == '-')
            {
                for (int c = 1; c < token.Length; c++)
                {
                    if (!s_short.TryGetValue(token[c], out var opt))
                    {
                        throw new CriuOptionException($"invalid option -- '{token[c]}'");
                    }

                    string? value = null;
                    if (opt.Arg != Arg.None)
                    {
                        if (c + 1 < token.Length)
                        {
                            value = token[(c + 1)..];
                        }
                        else if (opt.Arg == Arg.Required)
                        {
                            value = i + 1 < tokens.Count ? tokens[++i] : throw new CriuOptionException($"option requires an argument -- '{token[c]}'");
                        }

                        Set(options, opt.Name, value, token);
                        break;
                    }

                    Set(options, opt.Name, null, token);
                }
            }
            else
            {
                throw new CriuOptionException($"unexpected argument '{token}'");
            }
        }
    }

    /// <summary>getopt_long: an exact name, or a prefix of exactly one name.</summary>
    private static string? Resolve(string name)
    {
        if (s_long.ContainsKey(name))
        {
            return name;
        }

        var matches = s_long.Keys.Where(k => k.StartsWith(name, StringComparison.Ordinal)).Take(2).ToList();
        return matches.Count == 1 && name.Length > 0 ? matches[0] : null;
    }

    private static void Set(CriuOptions o, string name, string? value, string token)
    {
        bool on = !name.StartsWith("no-", StringComparison.Ordinal);
        string bare = on ? name : name[3..];
        switch (bare)
        {
            case "shell-job": o.ShellJob = on; break;
            case "file-locks": o.FileLocks = on; break;
            case "tcp-established": o.TcpEstablished = on; break;
            case "tcp-close": o.TcpClose = on; break;
            case "skip-in-flight": o.SkipInFlight = on; break;
            case "link-remap": o.LinkRemap = on; break;
            case "allow-uprobes": o.AllowUprobes = on; break;
            case "evasive-devices": o.EvasiveDevices = on; break;
            case "force-irmap": o.ForceIrmap = on; break;
            case "track-mem": o.TrackMem = on; break;
            case "unprivileged": o.Unprivileged = on; break;
            case "ext-unix-sk":
                o.ExtUnixSk = true;
                foreach (var ino in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!ulong.TryParse(ino, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n))
                    {
                        throw new CriuOptionException($"Failed to parse unix socket inode from optarg: {value}");
                    }

                    o.External.Add($"unix[{n}]");
                }

                break;
            case "ghost-limit": o.GhostLimit = ParseSize(value!); break;
            case "network-lock":
                o.NetworkLock = value switch
                {
                    "iptables" => NetworkLockMethod.Iptables,
                    "nftables" => NetworkLockMethod.Nftables,
                    "skip" or "none" => NetworkLockMethod.Skip,
                    _ => throw new CriuOptionException($"Invalid value for --network-lock: {value}"),
                };
                break;
            case "file-validation":
                o.FileValidation = value is "filesize" or "buildid"
                    ? value
                    : throw new CriuOptionException($"Unknown file validation method `{value}' selected");
                break;
            case "timeout":
                o.TimeoutSeconds = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int t) && t > 0
                    ? t
                    : throw new CriuOptionException($"Invalid timeout: {value}");
                break;
            case "external" when value!.StartsWith(AutoExternalMounts, StringComparison.Ordinal):
                ParseAutoExternalMounts(o, value[AutoExternalMounts.Length..]);
                break;
            case "external": o.External.Add(value!); break;
            case "enable-external-sharing": o.EnableExternalSharing = on; break;
            case "enable-external-masters": o.EnableExternalMasters = on; break;
            case "empty-ns":
                // config.c case 1074: only "net" is supported.
                o.EmptyNetNs = value == "net" ? true : throw new CriuOptionException($"Unsupported empty namespace: {value}");
                break;
            case "enable-fs": o.EnableFs.AddRange(value!.Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
            case "skip-mnt": o.SkipMounts.Add(value!); break;
            case "inherit-fd": o.InheritFd.Add(value!); break;
            case "freeze-cgroup": o.FreezeCgroup = value; break;
            case "libdir": o.LibDir = value; break;
            case "ext-mount-map":
                // config.c case 'M': "auto", or KEY:VAL added as the external mount mnt[KEY]:VAL.
                if (value == "auto")
                {
                    o.AutodetectExternalMounts = true;
                    break;
                }

                o.External.Add(value!.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 ? $"mnt[{value[..colon]}]:{value[(colon + 1)..]}"
                    : throw new CriuOptionException($"invalid argument for --ext-mount-map: {value}"));
                break;
            case "tree" or "config" or "no-default-config" or "help" or "version":
                break; // handled by the caller
            default:
                o.Ignored.Add(value is null ? token : $"{token} {value}");
                break;
        }
    }

    /// <summary>The prefix of --external that asks criu to find external mounts itself (external.c:15).</summary>
    private const string AutoExternalMounts = "mnt[]";

    /// <summary>
    /// mount.c:77-91 ext_mount_parse_auto: what follows "mnt[]" may be nothing, ":", ":m" (external masters)
    /// or ":s" (external sharing); only the first letter after ':' counts, any other one is refused.
    /// </summary>
    private static void ParseAutoExternalMounts(CriuOptions o, string rest)
    {
        o.AutodetectExternalMounts = true;
        if (!rest.StartsWith(':') || rest.Length == 1)
        {
            return;
        }

        switch (rest[1])
        {
            case 'm': o.EnableExternalMasters = true; break;
            case 's': o.EnableExternalSharing = true; break;
            default: throw new CriuOptionException($"Could not add external mount: mnt[]{rest}");
        }
    }

    /// <summary>criu's parse_size (util.c): a number with an optional K, M or G suffix (powers of 1024).</summary>
    public static long ParseSize(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw new CriuOptionException("Invalid size: empty");
        }

        long mult = char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        string digits = mult == 1 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n)
            ? n * mult
            : throw new CriuOptionException($"Invalid size: {text}");
    }

    /// <summary>
    /// Reads one config file the way criu's parse_statement does: one statement per line, "option [value]"
    /// without leading dashes, '#' starts a comment, a value may be quoted.
    /// </summary>
    public static List<string> ReadConfigFile(string path)
    {
        var tokens = new List<string>();
        foreach (var raw in File.ReadLines(path))
        {
            // Only a line or a value that starts with '#' is a comment (config.c parse_statement).
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int sp = line.IndexOfAny([' ', '\t']);
            string name = sp < 0 ? line : line[..sp];
            tokens.Add(name.StartsWith('-') ? name : "--" + name);
            if (sp >= 0)
            {
                string value = line[(sp + 1)..].Trim();
                if (value.StartsWith('#'))
                {
                    continue;
                }

                if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
                {
                    value = value[1..^1];
                }

                tokens.Add(value);
            }
        }

        return tokens;
    }

    /// <summary>
    /// The effective options: /etc/criu/default.conf, ~/.criu/default.conf (unless --no-default-config),
    /// then $CRIU_CONFIG_FILE, then --config FILE, then the command line (criu/config.c init_configuration order).
    /// </summary>
    public static CriuOptions Effective(IReadOnlyList<string> commandLine, string? home = null, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        home ??= env("HOME");
        var options = new CriuOptions();
        bool noDefault = commandLine.Contains("--no-default-config");
        string? explicitConfig = null;
        for (int i = 0; i < commandLine.Count; i++)
        {
            if (commandLine[i] == "--config" && i + 1 < commandLine.Count)
            {
                explicitConfig = commandLine[i + 1];
            }
            else if (commandLine[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                explicitConfig = commandLine[i]["--config=".Length..];
            }
        }

        var files = new List<string>();
        if (!noDefault)
        {
            files.Add("/etc/criu/default.conf");
            if (!string.IsNullOrEmpty(home))
            {
                files.Add(Path.Combine(home, ".criu", "default.conf"));
            }
        }

        if (env("CRIU_CONFIG_FILE") is { Length: > 0 } envFile)
        {
            files.Add(envFile);
        }

        foreach (var file in files)
        {
            if (File.Exists(file))
            {
                Apply(options, ReadConfigFile(file));
                options.ConfigFiles.Add(file);
            }
        }

        if (explicitConfig is not null)
        {
            if (!File.Exists(explicitConfig))
            {
                throw new CriuOptionException($"Can't access configuration file {explicitConfig}");
            }

            Apply(options, ReadConfigFile(explicitConfig));
            options.ConfigFiles.Add(explicitConfig);
        }

        Apply(options, commandLine);
        return options;
    }
}
