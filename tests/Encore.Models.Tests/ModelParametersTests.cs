using Encore.Models.Ials;
using Encore.Models.ItemKnn;
using Xunit;

namespace Encore.Models.Tests;

public sealed class ModelParametersTests
{
    [Fact]
    public void Binds_values_in_any_key_spelling()
    {
        var pairs = ModelParameters.ParsePairs(["factors=32", "cg_steps=2", "Alpha=1.5", "regularization-exponent=0"]);
        var o = ModelParameters.Bind<IalsOptions>(pairs);
        Assert.Equal(32, o.Factors);
        Assert.Equal(2, o.CgSteps);
        Assert.Equal(1.5f, o.Alpha);
        Assert.Equal(0f, o.RegularizationExponent);
        Assert.Equal(new IalsOptions().Iterations, o.Iterations);
        var k = ModelParameters.Bind<ItemKnnOptions>(new Dictionary<string, string> { ["weighting"] = "tf-idf" });
        Assert.Equal(ItemKnnWeighting.TfIdf, k.Weighting);
    }

    [Fact]
    public void Unknown_keys_and_bad_values_are_clear_errors()
    {
        var unknown = Assert.Throws<ArgumentException>(() => ModelCatalog.CreateTrainer("ials", new Dictionary<string, string> { ["factorz"] = "3" }));
        Assert.Contains("factorz", unknown.Message);
        Assert.Contains("factors", unknown.Message);
        var bad = Assert.Throws<ArgumentException>(() => ModelCatalog.CreateTrainer("ials", new Dictionary<string, string> { ["factors"] = "many" }));
        Assert.Contains("'factors'", bad.Message);
        Assert.Contains("integer", bad.Message);
        var range = Assert.Throws<ArgumentException>(() => ModelCatalog.CreateTrainer("ease", new Dictionary<string, string> { ["lambda"] = "-1" }));
        Assert.Contains("lambda", range.Message);
        var badEnum = Assert.Throws<ArgumentException>(() => ModelCatalog.CreateTrainer("itemknn", new Dictionary<string, string> { ["weighting"] = "jaccard" }));
        Assert.Contains("cosine", badEnum.Message);
        Assert.Throws<ArgumentException>(() => ModelParameters.ParsePairs(["noequals"]));
        Assert.Throws<ArgumentException>(() => ModelCatalog.CreateTrainer("ials", new Dictionary<string, string> { ["alpha"] = "NaN" }));
    }

    [Fact]
    public void The_main_models_are_catalogue_models_baseline_first_sequential_included()
    {
        Assert.Equal(["popularity", "itemknn", "ease", "ials", "sequential"], ModelCatalog.Main);
        foreach (var name in ModelCatalog.Main) Assert.Equal(name, ModelCatalog.Get(name).Name);
    }

    [Fact]
    public void Catalogue_lists_the_models_and_their_parameters()
    {
        foreach (var name in new[] { "popularity", "itemknn", "ease", "ials" }) Assert.Contains(name, ModelCatalog.Names);
        var unknown = Assert.Throws<ArgumentException>(() => ModelCatalog.Get("nope"));
        Assert.Contains("ials", unknown.Message);
        var ials = ModelCatalog.Get("IALS");
        Assert.Contains(ials.Parameters, p => p.Key == "factors" && p.Default == "128" && p.Type == "integer");
        var values = ModelParameters.Values(new IalsOptions());
        Assert.Equal("128", values["factors"]);
        Assert.Equal("0.8", values["regularization"]);
        Assert.Equal("8", values["unobserved-ratio"]);
        Assert.Equal("", values["unobserved-weight"]); // derived from the data unless given
    }
}
