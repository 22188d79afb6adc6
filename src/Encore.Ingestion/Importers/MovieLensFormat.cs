namespace Encore.Ingestion.Importers;

/// <summary>The MovieLens release layouts Encore reads.</summary>
public enum MovieLensFormat
{
    /// <summary>MovieLens 100K: u.data (tab-separated), u.item and u.user ('|', latin-1), u.genre.</summary>
    Ml100k,
    /// <summary>MovieLens 1M: ratings.dat, movies.dat and users.dat ('::', latin-1).</summary>
    Ml1m,
    /// <summary>The "latest" releases (ml-latest-small, 20M, 25M, 32M): ratings.csv and movies.csv (UTF-8, quoted fields).</summary>
    Latest,
}
