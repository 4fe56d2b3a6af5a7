using MlOps.Services;
using Xunit;

namespace MlOps.Core.Tests.Services;

public sealed class ServiceNameTests
{
    [Theory]
    [InlineData("diabetes", ServiceKind.Prediction, "test")]
    [InlineData("churn_2", ServiceKind.Training, "prod")]
    public void A_service_name_parses_back_into_the_parts_it_was_made_from(string model, ServiceKind kind, string environment)
    {
        var name = ServiceKinds.ServiceName(model, kind, environment);
        Assert.True(ServiceKinds.TryParseServiceName(name, out var m, out var k, out var e));
        Assert.Equal((model, kind, environment), (m, k, e));
    }

    [Theory]
    [InlineData("diabetes-batch-test")]
    [InlineData("diabetes-prediction")]
    [InlineData("a-b-prediction-test")]
    [InlineData("-prediction-test")]
    [InlineData("notes")]
    public void Other_names_are_not_service_names(string name) =>
        Assert.False(ServiceKinds.TryParseServiceName(name, out _, out _, out _));
}
