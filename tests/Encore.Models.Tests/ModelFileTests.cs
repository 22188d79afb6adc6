using Encore.Models.Popularity;
using Xunit;

namespace Encore.Models.Tests;

public sealed class ModelFileTests
{
    private static byte[] Saved()
    {
        var model = new PopularityTrainer().Fit(SyntheticData.Create(), TestContext.Current.CancellationToken);
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        return stream.ToArray();
    }

    [Fact]
    public void Rejects_a_file_that_is_not_a_model()
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream("hello world, not a model"u8.ToArray())));
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void Rejects_a_truncated_file()
    {
        var bytes = Saved();
        Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bytes[..(bytes.Length / 2)])));
        Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bytes[..^2])));
    }

    [Fact]
    public void Rejects_an_unknown_format_version_and_model_name()
    {
        var bytes = Saved();
        var newer = (byte[])bytes.Clone();
        newer[8] = 99;
        Assert.Contains("version 99", Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(newer))).Message);
        var renamed = (byte[])bytes.Clone();
        renamed[13] = (byte)'X'; // first letter of "popularity" after the 4-byte version and the 1-byte length
        Assert.Contains("does not know", Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(renamed))).Message);
    }

    [Fact]
    public void Saves_to_a_path_atomically_and_loads_it()
    {
        using var folder = new Encore.TestSupport.TempFolder();
        var model = new PopularityTrainer().Fit(SyntheticData.Create(), TestContext.Current.CancellationToken);
        var path = folder.File("pop.encore");
        ModelFile.Save(model, path);
        Assert.False(File.Exists(path + ".tmp"));
        var loaded = ModelFile.Load(path);
        Assert.Equal(((PopularityRecommender)model).Scores.ToArray(), ((PopularityRecommender)loaded).Scores.ToArray());
    }
}
