using System.Runtime.InteropServices;

namespace Encore.Models.Numerics;

/// <summary>
/// Native buffers for data read at random (the factor rows an ALS half-iteration gathers), aligned to 2 MiB and, on
/// Linux, marked for transparent huge pages (madvise MADV_HUGEPAGE, the setting most distributions ship): one TLB entry
/// then covers 2 MiB instead of 4 KiB, so a random row costs its cache misses and not a page walk as well. Where the
/// kernel refuses (or on other systems) the buffer is an ordinary aligned allocation.
/// </summary>
internal static unsafe partial class HugePages
{
    private const nuint Alignment = 2 << 20;
    private const int MadvHugePage = 14;

    /// <summary>An uninitialized native buffer of <paramref name="count"/> values; give it back with <see cref="Free{T}"/>.</summary>
    public static T* Allocate<T>(long count) where T : unmanaged
    {
        nuint bytes = (nuint)(count * sizeof(T));
        nuint size = Math.Max((bytes + Alignment - 1) & ~(Alignment - 1), Alignment);
        var p = NativeMemory.AlignedAlloc(size, Alignment);
        if (OperatingSystem.IsLinux())
        {
            try { _ = Madvise(p, size, MadvHugePage); }
            catch (DllNotFoundException) { }
            catch (EntryPointNotFoundException) { }
        }
        GC.AddMemoryPressure((long)size);
        return (T*)p;
    }

    /// <summary>Frees a buffer from <see cref="Allocate{T}"/> of <paramref name="count"/> values.</summary>
    public static void Free<T>(T* p, long count) where T : unmanaged
    {
        nuint bytes = (nuint)(count * sizeof(T));
        nuint size = Math.Max((bytes + Alignment - 1) & ~(Alignment - 1), Alignment);
        NativeMemory.AlignedFree(p);
        GC.RemoveMemoryPressure((long)size);
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = false)]
    private static partial int Madvise(void* address, nuint length, int advice);
}
