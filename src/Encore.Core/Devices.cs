namespace Encore.Core;

/// <summary>The kinds of screen a member watches on.</summary>
public enum DeviceKind : byte
{
    /// <summary>A television (smart TV, set-top box or stick).</summary>
    Tv = 0,
    /// <summary>A phone app.</summary>
    Phone = 1,
    /// <summary>A tablet app.</summary>
    Tablet = 2,
    /// <summary>A web browser.</summary>
    Web = 3,
    /// <summary>A games console.</summary>
    Console = 4,
}
