using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace MlOps.CdfEmulator.Tests;

/// <summary>Builds real code zips and drives the Functions API of one emulator.</summary>
public static class FunctionTestKit
{
    public const string EchoHandler = """
import helper

def handle(data, secrets, function_call_info):
    with open("assets/greeting.txt") as f:
        greeting = f.read().strip()
    print("handling call", function_call_info["call_id"])
    return {"echo": data, "greeting": greeting, "helper": helper.VALUE, "secretKeys": sorted(secrets), "info": function_call_info}
""";

    public const string LoggingHandler = """
import sys

def handle(data):
    for i in range(3):
        print(f"stdout line {i}")
    print("warning on stderr", file=sys.stderr)
    return None
""";

    public const string RaisingHandler = """
def handle(client, data):
    assert client is None
    raise ValueError("model file is corrupt: " + data["name"])
""";

    public const string SleepingHandler = """
import time

def handle(data):
    print("going to sleep", flush=True)
    time.sleep(data.get("seconds", 30))
    return {"woke": True}
""";

    public const string LargeHandler = """
def handle(data):
    return {"blob": "x" * data["size"]}
""";

    public static byte[] Zip(params (string Path, string Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content) in entries)
            {
                var entry = zip.CreateEntry(path);
                using var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false));
                writer.Write(content);
            }
        }

        return buffer.ToArray();
    }

    public static byte[] HandlerZip(string handler) => Zip(("handler.py", handler));

    public static async Task<long> UploadAsync(CdfTestClient client, byte[] zip) =>
        await client.CreateAndUploadAsync(EmulatorFixture.Unique("code"), zip);

    /// <summary>POSTs /functions and returns the response (any status).</summary>
    public static Task<ApiResponse> TryCreateAsync(CdfTestClient client, long fileId, string externalId, string extra = "") =>
        client.PostAsync("/functions", $$"""{"items":[{"name":"{{externalId}}","externalId":"{{externalId}}","fileId":{{fileId}}{{extra}}}]}""");

    /// <summary>Uploads the zip, creates the function (asserting 201) and returns the created item.</summary>
    public static async Task<JsonNode> CreateAsync(CdfTestClient client, byte[] zip, string externalId, string extra = "")
    {
        var fileId = await UploadAsync(client, zip);
        var created = await TryCreateAsync(client, fileId, externalId, extra);
        Assert.True(created.Status == HttpStatusCode.Created, $"create answered {(int)created.Status}: {created.Text}");
        return created.Body!["items"]![0]!;
    }

    /// <summary>Creates the function and waits until its build is over; returns the final function as GET shows it.</summary>
    public static async Task<JsonNode> DeployAsync(CdfTestClient client, byte[] zip, string externalId, string extra = "")
    {
        var created = await CreateAsync(client, zip, externalId, extra);
        var id = (long)created["id"]!;
        await client.Server.Functions.WaitForDeploymentAsync(client.Project, id);
        var get = await client.GetAsync($"/functions/{id}");
        Assert.Equal(HttpStatusCode.OK, get.Status);
        return get.Body!;
    }

    public static async Task<string> NonceAsync(CdfTestClient client)
    {
        var created = await client.PostOkAsync("/sessions",
            $$"""{"items":[{"clientId":"{{EmulatorClient.DefaultClientId}}","clientSecret":"{{EmulatorClient.DefaultClientSecret}}"}]}""");
        return (string)created["items"]![0]!["nonce"]!;
    }

    public static async Task<ApiResponse> TryCallAsync(CdfTestClient client, long functionId, string data, string? nonce)
    {
        var body = nonce is null ? $$"""{"data":{{data}}}""" : $$"""{"data":{{data}},"nonce":"{{nonce}}"}""";
        return await client.PostAsync($"/functions/{functionId}/call", body);
    }

    /// <summary>Calls with a fresh nonce (asserting 201), waits for the end, returns the call as GET shows it.</summary>
    public static async Task<JsonNode> CallAndWaitAsync(CdfTestClient client, long functionId, string data = "{}")
    {
        var started = await TryCallAsync(client, functionId, data, await NonceAsync(client));
        Assert.True(started.Status == HttpStatusCode.Created, $"call answered {(int)started.Status}: {started.Text}");
        Assert.Equal("Running", (string?)started.Body!["status"]);
        var callId = (long)started.Body["id"]!;
        await client.Server.Functions.WaitForCallAsync(client.Project, callId);
        var call = await client.GetAsync($"/functions/{functionId}/calls/{callId}");
        Assert.Equal(HttpStatusCode.OK, call.Status);
        return call.Body!;
    }

    /// <summary>Python processes whose command line mentions <paramref name="text"/> (read from /proc).</summary>
    public static List<int> PythonProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains("python", StringComparison.Ordinal) && cmdline.Contains(text, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}
