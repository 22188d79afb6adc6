using Encore.TestSupport;

namespace Encore.Storage.Tests;

/// <summary>The SQLite store against the shared store contract.</summary>
public sealed class SqliteEventStoreContractTests : EventStoreContract, IDisposable
{
    private readonly TempFolder _folder = new();

    protected override async Task<IEventStore> CreateStoreAsync()
        => await SqliteEventStore.OpenAsync(_folder.File("contract.db"), Ct);

    public void Dispose() => _folder.Dispose();
}
