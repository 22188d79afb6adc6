using Xunit;

namespace Encore.Analytics.Tests;

public sealed class SkeletonTests
{
    [Fact]
    public void The_analytics_library_loads() => Assert.Equal("Encore.Analytics", typeof(Encore.Analytics.AnalyticsAssembly).Assembly.GetName().Name);
}
