using System.Runtime.CompilerServices;

// The importer tests check the line parsers directly, below the public ImportRunner.
[assembly: InternalsVisibleTo("Encore.Ingestion.Tests")]
