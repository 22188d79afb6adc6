namespace Encore.Simulation;

/// <summary>Word lists and the rules that turn them into title and person names, unique within a world.</summary>
internal static class TitleNames
{
    private static readonly string[] Adjectives =
    [
        "Silent", "Broken", "Golden", "Hidden", "Last", "Lost", "Crimson", "Frozen", "Burning", "Wild", "Dark", "Bright",
        "Secret", "Endless", "Hollow", "Quiet", "Savage", "Little", "Northern", "Southern", "Electric", "Iron", "Velvet",
        "Midnight", "Distant", "Forgotten", "Restless", "Stolen", "Final", "Perfect", "Strange", "Lonely", "Happy",
        "Bitter", "Sweet", "Scarlet", "Silver", "Shattered", "Rising", "Falling", "Eternal", "Fearless", "Gentle",
        "Reckless", "Royal", "Second", "Crooked", "Sacred", "Wicked", "Brave",
    ];

    private static readonly string[] Nouns =
    [
        "River", "Kingdom", "Shadow", "Garden", "Empire", "Harbor", "Summer", "Winter", "Storm", "Mirror", "Road",
        "Island", "Promise", "Horizon", "Station", "Signal", "Orchard", "Frontier", "Circus", "Heart", "Crown", "Fire",
        "Ocean", "Valley", "Tower", "Machine", "Letter", "Witness", "Stranger", "Detective", "Family", "Voyage",
        "Planet", "Dragon", "Hunter", "Queen", "Orchestra", "Kitchen", "Village", "Bridge", "Mountain", "Desert",
        "Engine", "Lighthouse", "Comet", "Forest", "Academy", "Hotel", "Moon", "Wolf", "Secret", "Galaxy", "Harvest",
        "Carnival", "Diary", "Garage", "Saints", "Rebels", "Thieves", "Sisters",
    ];

    private static readonly string[] GivenNames =
    [
        "Ana", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kira", "Luca", "Maya",
        "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zoe",
        "Arjun", "Bea", "Carlos", "Dana", "Emil", "Freya", "Goran", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Mateo",
    ];

    private static readonly string[] FamilyNames =
    [
        "Abara", "Berg", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Hayashi", "Ivanova", "Jensen", "Kim",
        "Laurent", "Moreau", "Nakamura", "Okafor", "Park", "Quinn", "Rossi", "Singh", "Tanaka", "Usman", "Varga",
        "Weber", "Xu", "Yilmaz", "Zielinski", "Alvarez", "Brooks", "Chen", "Diaz", "Evans", "Costa", "Novak", "Sato",
    ];

    /// <summary>A new name not yet in <paramref name="taken"/> (a sequel number or subtitle is added when needed).</summary>
    public static string NewTitle(ref SimRandom rng, HashSet<string> taken)
    {
        string name = rng.NextInt(6) switch
        {
            0 => $"The {Pick(ref rng, Adjectives)} {Pick(ref rng, Nouns)}",
            1 => $"{Pick(ref rng, Nouns)} of the {Pick(ref rng, Nouns)}",
            2 => $"{Pick(ref rng, GivenNames)}'s {Pick(ref rng, Nouns)}",
            3 => $"{Pick(ref rng, Adjectives)} {Pick(ref rng, Nouns)}",
            4 => $"The {Pick(ref rng, Nouns)}",
            _ => $"{Pick(ref rng, Adjectives)} {Pick(ref rng, Nouns)} {Pick(ref rng, Nouns)}",
        };
        if (taken.Add(name)) return name;
        for (int sequel = 2; ; sequel++)
        {
            string candidate = sequel <= 6 ? $"{name} {sequel}" : $"{name}: {Pick(ref rng, Adjectives)} {Pick(ref rng, Nouns)}";
            if (taken.Add(candidate)) return candidate;
        }
    }

    public static string NewPerson(ref SimRandom rng, HashSet<string> taken)
    {
        for (int attempt = 0; ; attempt++)
        {
            string name = $"{Pick(ref rng, GivenNames)} {Pick(ref rng, FamilyNames)}";
            if (attempt > 3) name += $" {(char)('A' + rng.NextInt(26))}.";
            if (attempt > 10) name += $" {attempt}";
            if (taken.Add(name)) return name;
        }
    }

    private static string Pick(ref SimRandom rng, string[] words) => words[rng.NextInt(words.Length)];

    /// <summary>Lower-case words of a name, the unit of the simulated search index.</summary>
    public static IEnumerable<string> Words(string name)
    {
        foreach (var part in name.Split([' ', ':', '\'', '-'], StringSplitOptions.RemoveEmptyEntries))
        {
            var word = part.ToLowerInvariant();
            if (word is "the" or "of" or "s" || word.Length < 2) continue;
            yield return word;
        }
    }
}
