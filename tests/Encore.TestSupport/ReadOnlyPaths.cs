using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit;

namespace Encore.TestSupport;

/// <summary>
/// Makes files and folders read-only for this process until disposed, as a user would meet them (a file they
/// may not write, in a folder they may not write): with chmod for an ordinary user, and with the immutable
/// attribute (chattr +i) for root, whom permission bits do not stop. Where neither can be done, the calling
/// test is reported skipped with the reason.
/// </summary>
public sealed partial class ReadOnlyPaths : IDisposable
{
    private readonly List<string> _paths;
    private readonly bool _root;

    private ReadOnlyPaths(List<string> paths, bool root)
    {
        _paths = paths;
        _root = root;
    }

    public static ReadOnlyPaths Make(params string[] paths)
    {
        bool root = OperatingSystem.IsLinux() && GetEuid() == 0;
        var done = new List<string>();
        var handle = new ReadOnlyPaths(done, root);
        foreach (var path in paths)
        {
            if (root)
            {
                var (exit, error) = Run("chattr", "+i", path);
                if (exit != 0)
                {
                    handle.Dispose();
                    Assert.Skip($"cannot make {path} read-only for root here: chattr +i failed ({error.Trim()})");
                }
            }
            else if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, Directory.Exists(path)
                    ? UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                    : UnixFileMode.UserRead | UnixFileMode.GroupRead);
            }
            done.Add(path);
        }
        return handle;
    }

    public void Dispose()
    {
        foreach (var path in _paths)
        {
            if (_root) Run("chattr", "-i", path);
            else if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, Directory.Exists(path)
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        _paths.Clear();
    }

    private static (int Exit, string Error) Run(string program, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, error);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
