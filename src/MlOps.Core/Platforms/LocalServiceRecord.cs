using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace MlOps.Platforms
{
    /// <summary>What the Local platform records about a service's current deployment (current.json).</summary>
    internal sealed class LocalServiceRecord
    {
        [JsonPropertyName("name")] public string Name { get; set; } = string.Empty;
        [JsonPropertyName("model")] public string Model { get; set; } = string.Empty;
        [JsonPropertyName("service")] public string Service { get; set; } = string.Empty;
        [JsonPropertyName("environment")] public string Environment { get; set; } = string.Empty;
        [JsonPropertyName("version")] public int? Version { get; set; }
        [JsonPropertyName("modelId")] public string? ModelId { get; set; }
        [JsonPropertyName("deploymentId")] public string DeploymentId { get; set; } = string.Empty;
        [JsonPropertyName("endpoint")] public string Endpoint { get; set; } = string.Empty;
        [JsonPropertyName("pid")] public int? ProcessId { get; set; }
        [JsonPropertyName("deployedTime")] public DateTimeOffset DeployedTime { get; set; }
        [JsonPropertyName("deployedBy")] public string DeployedBy { get; set; } = string.Empty;
        [JsonPropertyName("packagePath")] public string PackagePath { get; set; } = string.Empty;
        [JsonPropertyName("packageSha256")] public string PackageSha256 { get; set; } = string.Empty;
        [JsonPropertyName("tests")] public List<LocalTestRecord> Tests { get; set; } = new List<LocalTestRecord>();
        [JsonPropertyName("gitCommit")] public string? GitCommit { get; set; }
        [JsonPropertyName("gitBranch")] public string? GitBranch { get; set; }
        [JsonPropertyName("gitDirty")] public bool? GitDirty { get; set; }
    }

    internal sealed class LocalTestRecord
    {
        [JsonPropertyName("test")] public string Test { get; set; } = string.Empty;
        [JsonPropertyName("passed")] public bool Passed { get; set; }
        [JsonPropertyName("message")] public string Message { get; set; } = string.Empty;
        [JsonPropertyName("seconds")] public double Seconds { get; set; }
    }
}
