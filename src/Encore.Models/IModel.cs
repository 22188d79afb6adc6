using Encore.Core;

namespace Encore.Models;

/// <summary>
/// What every fitted model is, whatever it predicts (a top-N <see cref="IRecommender"/> or a
/// <see cref="Ratings.IRatingPredictor"/>): its catalogue name, the members and titles of the matrix it was fitted
/// on, and its state, which <see cref="ModelFile"/> wraps in the one versioned envelope and
/// <see cref="ModelCatalog"/> reads back by the name.
/// </summary>
public interface IModel
{
    /// <summary>Catalogue name, e.g. "ials", "ease", "mf", "bpmf".</summary>
    string Name { get; }

    /// <summary>The members of the matrix the model was fitted on: its rows' dense indices.</summary>
    IdMap MemberIds { get; }
    /// <summary>The titles of the matrix the model was fitted on: its columns' dense indices.</summary>
    IdMap TitleIds { get; }

    /// <summary>Writes the fitted state, a payload version first (see <see cref="ModelFile"/> for the envelope).</summary>
    void Save(BinaryWriter writer);
}
