using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace MlOps.CdfEmulator.Tests;

/// <summary>The Data Sets API as Cognite documents it: create, retrieve by id or external id, list, and files filtered by data set.</summary>
public sealed class DataSetsTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private CdfTestClient Client => fixture.Client;

    private static JsonArray Items(ApiResponse response) => response.Body!["items"]!.AsArray();

    [Fact]
    public async Task Data_sets_are_created_retrieved_by_external_id_and_listed()
    {
        var prefix = "ds-" + Guid.NewGuid().ToString("N")[..8];
        var created = await Client.PostAsync("/datasets", $$"""{"items":[{"externalId":"{{prefix}}-mlops","name":"mlops","writeProtected":true}]}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = Items(created)[0]!["id"]!.GetValue<long>();
        Assert.True(Items(created)[0]!["writeProtected"]!.GetValue<bool>());

        var retrieved = await Client.PostAsync("/datasets/byids", $$"""{"items":[{"externalId":"{{prefix}}-mlops"}]}""");
        Assert.Equal(id, Items(retrieved)[0]!["id"]!.GetValue<long>());

        var missing = await Client.PostAsync("/datasets/byids", $$"""{"items":[{"externalId":"{{prefix}}-none"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Equal($"{prefix}-none", missing.Error!["missing"]![0]!["externalId"]!.GetValue<string>());
        var ignored = await Client.PostAsync("/datasets/byids", $$"""{"items":[{"externalId":"{{prefix}}-none"}],"ignoreUnknownIds":true}""");
        Assert.Empty(Items(ignored));

        var duplicate = await Client.PostAsync("/datasets", $$"""{"items":[{"externalId":"{{prefix}}-mlops"}]}""");
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Status);

        var listed = await Client.PostAsync("/datasets/list", $$$"""{"filter":{"externalIdPrefix":"{{{prefix}}}"}}""");
        Assert.Equal([id], Items(listed).Select(i => i!["id"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Files_are_filtered_by_a_data_set_named_by_external_id()
    {
        var prefix = "dsf-" + Guid.NewGuid().ToString("N")[..8];
        var dataSet = fixture.Server.DataSets.Create(fixture.Server.Project, prefix + "-set");
        await Client.CreateAndUploadAsync($"{prefix}/in", [1], $$""","dataSetId":{{dataSet.Id}} """);
        await Client.CreateAndUploadAsync($"{prefix}/out", [2], "");

        var byExternalId = await Client.PostAsync("/files/list", $$$"""{"filter":{"externalIdPrefix":"{{{prefix}}}","dataSetIds":[{"externalId":"{{{prefix}}}-set"}]}}""");
        Assert.Equal([$"{prefix}/in"], Items(byExternalId).Select(i => i!["externalId"]!.GetValue<string>()));
        var unknown = await Client.PostAsync("/files/list", $$$"""{"filter":{"externalIdPrefix":"{{{prefix}}}","dataSetIds":[{"externalId":"{{{prefix}}}-none"}]}}""");
        Assert.Empty(Items(unknown));
    }
}
