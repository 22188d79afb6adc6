using System.Text;

namespace Encore.Simulation;

/// <summary>How members type a search: often lower case, often only the first words, with typos.</summary>
internal static class QueryTypist
{
    private const string Letters = "abcdefghijklmnopqrstuvwxyz";

    public static string Type(string name, double typoPerLetter, ref SimRandom rng)
    {
        string text = name;
        var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length >= 3 && rng.Chance(0.35)) text = string.Join(' ', words, 0, rng.NextInt(1, 2) + (words[0] == "The" ? 1 : 0));
        if (rng.Chance(0.75)) text = text.ToLowerInvariant();

        var sb = new StringBuilder(text.Length + 2);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (!char.IsLetter(c) || !rng.Chance(typoPerLetter))
            {
                sb.Append(c);
                continue;
            }
            switch (rng.NextInt(4))
            {
                case 0: break; // dropped
                case 1: sb.Append(c).Append(c); break; // doubled
                case 2 when i + 1 < text.Length && char.IsLetter(text[i + 1]):
                    sb.Append(text[i + 1]).Append(c); // swapped with the next letter
                    i++;
                    break;
                default: sb.Append(Letters[rng.NextInt(Letters.Length)]); break; // wrong key
            }
        }
        var query = sb.ToString().Trim();
        return query.Length == 0 ? name : query;
    }
}
