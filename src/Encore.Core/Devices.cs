namespace Encore.Core;

/// <summary>The kinds of screen a member watches on.</summary>
public enum DeviceKind : byte
{
    Tv = 0,
    Phone = 1,
    Tablet = 2,
    Web = 3,
    Console = 4,
}
