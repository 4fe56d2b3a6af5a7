using System.Collections;
using System.Text.Json;
using MlOps.Packaging;
using MlOps.Python;
using Xunit;

namespace MlOps.Core.Tests.Services;

/// <summary>The runtime's answers are valid JSON whatever the model returns: NaN and infinities are sent as null.</summary>
public sealed class RuntimeJsonTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mlops-runtime-json-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void A_prediction_with_NaN_and_infinities_is_answered_as_valid_json_with_nulls_and_a_warning_in_the_log()
    {
        var runtime = RuntimeFiles.WriteRuntimeFolder(_folder);
        var python = PythonLocator.Find(null, _folder, new Hashtable());
        const string script = """
            import json
            from mlops_runtime import jsonutil
            from mlops_runtime.service import Service

            class Model:
                @staticmethod
                def initialization(folder, secrets):
                    return None

                @staticmethod
                def predict(data, init, secrets):
                    return {"scores": [0.5, float("nan"), float("inf"), -float("inf")], "pair": (1, 2)}

            service = Service(".", {"service": "prediction", "modelId": "m/test/1", "artifactFolder": "."})
            service._model = Model
            print("ANSWER " + jsonutil.dumps(service.handle({}, call_info={"call_id": "c1"})))
            """;
        var run = ProcessRunner.Run(python.Path, new[] { "-c", script }, runtime, null, TimeSpan.FromSeconds(30), default);
        Assert.True(run.ExitCode == 0, run.Tail(20));

        var line = run.Output.Split('\n').Single(l => l.StartsWith("ANSWER ", StringComparison.Ordinal))["ANSWER ".Length..];
        using var answer = JsonDocument.Parse(line);
        Assert.Equal("ok", answer.RootElement.GetProperty("status").GetString());
        var scores = answer.RootElement.GetProperty("prediction").GetProperty("scores").EnumerateArray().ToList();
        Assert.Equal(0.5, scores[0].GetDouble());
        Assert.All(scores.Skip(1), s => Assert.Equal(JsonValueKind.Null, s.ValueKind));
        Assert.Contains("3 NaN or infinite number(s); they are sent as null", run.Error);
    }
}
