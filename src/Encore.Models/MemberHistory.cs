using Encore.Core;

namespace Encore.Models;

/// <summary>
/// A model that remembers which titles each training member interacted with, so that
/// <see cref="Recommendations"/> can leave them out ("exclude the member's history") without the caller
/// holding the training data.
/// </summary>
internal interface IMemberHistory
{
    /// <summary>The training titles (dense indices, ascending) of a training member.</summary>
    ReadOnlySpan<int> TrainingTitles(int member);
}

/// <summary>The member -> titles part of a training matrix (CSR without weights), saved with a model.</summary>
internal sealed class MemberHistory : IMemberHistory
{
    private readonly int[] _pointers;
    private readonly int[] _titles;

    public MemberHistory(int[] pointers, int[] titles)
    {
        if (pointers.Length == 0 || pointers[^1] != titles.Length)
            throw new ArgumentException("pointers must end at titles.Length", nameof(pointers));
        _pointers = pointers;
        _titles = titles;
    }

    /// <summary>Shares the arrays of <paramref name="data"/> (they are never written).</summary>
    public static MemberHistory From(InteractionMatrix data) => new(data.RowPointers, data.ColumnIndices);

    public int Members => _pointers.Length - 1;

    public ReadOnlySpan<int> TrainingTitles(int member)
        => (uint)member < (uint)Members ? _titles.AsSpan(_pointers[member], _pointers[member + 1] - _pointers[member]) : default;

    public void Save(BinaryWriter writer)
    {
        ModelIo.WriteArray<int>(writer, _pointers);
        ModelIo.WriteArray<int>(writer, _titles);
    }

    public static MemberHistory Load(BinaryReader reader, int members)
    {
        var pointers = ModelIo.ReadArray<int>(reader);
        var titles = ModelIo.ReadArray<int>(reader);
        ModelIo.ExpectLength(pointers, members + 1L, "history pointers");
        if (pointers[^1] != titles.Length) throw new InvalidDataException("model file: history pointers do not match its titles");
        return new MemberHistory(pointers, titles);
    }
}
