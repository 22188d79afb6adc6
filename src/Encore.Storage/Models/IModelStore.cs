namespace Encore.Storage.Models;

/// <summary>One whole version in a model store: its number (1, 2, ...) and the description registered with it.</summary>
public sealed record StoredModel(int Number, string Description);

/// <summary>
/// Where a model registry keeps its versions: numbered payloads (a model file, streamed) each with a short description
/// (JSON the registry writes). Implementations: <see cref="FileModelStore"/> (a folder) and the PostgreSQL store
/// (<c>PostgresModelStore</c>), chosen by the event store's kind in <c>ModelStores.For</c>.
/// </summary>
/// <remarks>
/// The contract (every implementation passes the same tests): a version is listed only once its payload and description
/// are whole, so a write that fails or is cut off leaves nothing visible; versions are numbered from 1 up, and
/// registrations that race (two threads or two processes on the same store) get distinct numbers, and a deleted version's
/// number is never given again; a payload is written
/// and read as a stream, never held whole in memory by the store.
/// </remarks>
public interface IModelStore
{
    /// <summary>Where the versions live, for messages: a folder, or a <c>postgres://</c> URL without its password.</summary>
    string Location { get; }

    /// <summary>Every whole version, lowest number first.</summary>
    IReadOnlyList<StoredModel> List();

    /// <summary>
    /// Stores a new version: <paramref name="writePayload"/> writes the model to the stream it is given, then the next
    /// free number is taken and <paramref name="describe"/> gives the description for it. Nothing is visible until both
    /// are stored; when <paramref name="writePayload"/> throws, nothing is stored and the exception propagates.
    /// </summary>
    StoredModel Add(Action<Stream> writePayload, Func<int, string> describe);

    /// <summary>
    /// Removes version <paramref name="number"/>: it is no longer listed nor readable and its payload's space is freed,
    /// while its number stays taken (no later version gets it, so a number names one model for good). A read already
    /// streaming the payload finishes. Returns false when no whole version has that number.
    /// </summary>
    bool Delete(int number);

    /// <summary>Opens version <paramref name="number"/>'s payload to read front to back (dispose it when done).</summary>
    /// <exception cref="KeyNotFoundException">No whole version has that number.</exception>
    Stream OpenRead(int number);
}
