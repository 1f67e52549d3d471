using System.Globalization;
using Checkpointable.Model;

namespace Checkpointable.Probes.ProcFs;

/// <summary>Parses /proc/P/fdinfo/N (Documentation/filesystems/proc.rst, "fdinfo").</summary>
public static class FdInfoParser
{
    public static FdInfo Parse(string text)
    {
        long pos = 0;
        uint flags = 0;
        int mntId = -1;
        int? scm = null, ttyIndex = null, pidfd = null;
        bool fanotifyFs = false;
        List<string>? locks = null;
        List<EpollTarget>? epoll = null;
        List<InotifyWatch>? inotify = null;

        var lines = new KeyValueLines(text);
        while (lines.Next(out var key, out var value))
        {
            switch (key)
            {
                case "pos":
                    pos = long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long p) ? p : 0;
                    break;
                case "flags":
                    flags = ParseOctal(value);
                    break;
                case "mnt_id":
                    mntId = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int m) ? m : -1;
                    break;
                case "lock":
                    (locks ??= []).Add(value.ToString());
                    break;
                case "tfd":
                    if (TryParseEpoll(value, out var target))
                    {
                        (epoll ??= []).Add(target);
                    }

                    break;
                case "inotify wd":
                    if (TryInodeDevice(value, out ulong ino, out var dev))
                    {
                        (inotify ??= []).Add(new InotifyWatch(ino, dev));
                    }

                    break;
                case "fanotify sdev":
                    // A FAN_MARK_FILESYSTEM mark: "fanotify sdev:%x mflags:…" (fs/notify/fdinfo.c).
                    fanotifyFs = true;
                    break;
                case "scm_fds":
                    scm = Int(value);
                    break;
                case "tty-index":
                    ttyIndex = Int(value);
                    break;
                case "Pid":
                    pidfd = Int(value);
                    break;
            }
        }

        return new FdInfo(
            text,
            pos,
            flags,
            mntId,
            (IReadOnlyList<string>?)locks ?? [],
            (IReadOnlyList<EpollTarget>?)epoll ?? [],
            (IReadOnlyList<InotifyWatch>?)inotify ?? [],
            fanotifyFs,
            scm,
            ttyIndex,
            pidfd);
    }

    private static int? Int(ReadOnlySpan<char> value)
    {
        int end = value.IndexOfAny(' ', '\t');
        var first = end < 0 ? value : value[..end];
        return int.TryParse(first, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) ? v : null;
    }

    private static uint ParseOctal(ReadOnlySpan<char> s)
    {
        uint v = 0;
        foreach (char c in s)
        {
            if (c < '0' || c > '7')
            {
                break;
            }

            v = (v << 3) | (uint)(c - '0');
        }

        return v;
    }

    /// <summary>"tfd:        5 events:       19 data: …  pos:0 ino:1234 sdev:d" (fs/eventpoll.c ep_show_fdinfo).</summary>
    private static bool TryParseEpoll(ReadOnlySpan<char> value, out EpollTarget target)
    {
        target = default;
        int end = value.IndexOf(' ');
        if (end < 0 || !int.TryParse(value[..end], NumberStyles.None, CultureInfo.InvariantCulture, out int fd))
        {
            return false;
        }

        if (!TryInodeDevice(value, out ulong ino, out var dev))
        {
            return false;
        }

        target = new EpollTarget(fd, ino, dev);
        return true;
    }

    /// <summary>Finds the hex "ino:" and "sdev:" fields in an fsnotify or epoll line.</summary>
    private static bool TryInodeDevice(ReadOnlySpan<char> value, out ulong ino, out DeviceId dev)
    {
        ino = 0;
        dev = default;
        bool haveIno = false, haveDev = false;
        foreach (var r in value.Split(' '))
        {
            var field = value[r];
            if (field.StartsWith("ino:"))
            {
                haveIno = ulong.TryParse(field[4..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ino);
            }
            else if (field.StartsWith("sdev:"))
            {
                haveDev = ulong.TryParse(field[5..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong d);
                dev = DeviceId.FromKernelEncoding(d);
            }
        }

        return haveIno && haveDev;
    }
}
