using MlOps.Diagnostics;
using MlOps.Registry;
using Xunit;

namespace MlOps.Core.Tests.Registry;

public class ModelVersionIdTests
{
    [Fact]
    public void Formats_and_parses_model_ids()
    {
        Assert.Equal("diabetes/test/12", ModelVersionId.Format("diabetes", "test", 12));
        Assert.Equal(("diabetes", "test", 12), ModelVersionId.Parse("diabetes/test/12"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("diabetes/test")]
    [InlineData("diabetes/test/0")]
    [InlineData("diabetes/test/-1")]
    [InlineData("diabetes/test/x")]
    [InlineData("dia-betes/test/1")]
    [InlineData("diabetes/Test/1")]
    [InlineData("diabetes/test/1/2")]
    public void Rejects_anything_else(string id)
    {
        var error = Assert.Throws<MlOpsException>(() => ModelVersionId.Parse(id));
        Assert.Equal(ErrorIds.InvalidModelVersionId, error.ErrorId);
    }
}
