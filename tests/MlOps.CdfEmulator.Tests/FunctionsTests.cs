using System.Net;
using System.Text.Json.Nodes;
using Xunit;
using static MlOps.CdfEmulator.Tests.FunctionTestKit;

namespace MlOps.CdfEmulator.Tests;

public sealed class FunctionsTests(FunctionsFixture fixture) : IClassFixture<FunctionsFixture>
{
    private CdfTestClient Client => fixture.Client;

    private CdfEmulatorServer Server => fixture.Server;

    private static byte[] EchoZip => Zip(("handler.py", EchoHandler), ("helper.py", "VALUE = 42\n"), ("assets/greeting.txt", "hello\n"),
        ("requirements.txt", "# pinned\nnumpy==1.26.4\nscikit-learn>=1.3,<2  # inline comment\nrequests[socks] ; python_version >= '3.9'\n\n"));

    [Fact]
    public async Task Create_returns_queued_then_the_build_moves_it_through_deploying_to_ready()
    {
        var externalId = EmulatorFixture.Unique("fn-ready");
        var created = await CreateAsync(Client, EchoZip, externalId,
            ""","owner":"ml-team","description":"scores","metadata":{"version":"3"},"secrets":{"api-token":"hunter2"},"envVars":{"MODEL_NAME":"m1"},"runtime":"py312" """);
        var id = (long)created["id"]!;
        Assert.True(id > int.MaxValue);
        Assert.Equal("Queued", (string?)created["status"]);
        Assert.Equal("handler.py", (string?)created["functionPath"]);
        Assert.Equal("***", (string?)created["secrets"]!["api-token"]);
        Assert.Equal("m1", (string?)created["envVars"]!["MODEL_NAME"]);
        Assert.Equal(1.0, (double)created["cpu"]!);
        Assert.Equal(1.5, (double)created["memory"]!);
        Assert.Equal("py312", (string?)created["runtime"]);
        Assert.Equal("Python 3.12", (string?)created["runtimeVersion"]);

        var seen = new List<string>();
        for (var i = 0; i < 200 && seen.LastOrDefault() != "Ready"; i++)
        {
            var status = (string)(await Client.GetAsync($"/functions/{id}")).Body!["status"]!;
            if (seen.LastOrDefault() != status)
            {
                seen.Add(status);
            }

            await Task.Delay(10);
        }

        Assert.Equal("Ready", seen.Last());
        Assert.Equal(seen.Distinct().ToList(), seen);
        Assert.Contains("Deploying", seen);
        Assert.Equal(["Queued", "Deploying", "Ready"], new[] { "Queued", "Deploying", "Ready" }.Where(seen.Contains).ToList());
        var ready = await Server.Functions.WaitForDeploymentAsync(Server.Project, id);
        Assert.Equal("Ready", ready.Status);
        Assert.Null(ready.Error);
        Assert.Equal("hunter2", ready.Secrets!["api-token"]);

        // Every read path masks secrets; the secret itself never leaves the emulator.
        var byIds = await Client.PostOkAsync("/functions/byids", $$"""{"items":[{"externalId":"{{externalId}}"}]}""");
        Assert.Equal(id, (long)byIds["items"]![0]!["id"]!);
        var listed = await Client.PostOkAsync("/functions/list", """{"filter":{"owner":"ml-team"}}""");
        var all = await Client.GetAsync("/functions");
        foreach (var text in new[] { byIds.ToJsonString(), listed.ToJsonString(), all.Text })
        {
            Assert.DoesNotContain("hunter2", text);
            Assert.Contains("\"api-token\":\"***\"", text);
        }
    }

    [Fact]
    public async Task List_filters_by_name_owner_status_prefix_and_metadata()
    {
        var prefix = EmulatorFixture.Unique("fn-list");
        var good = await DeployAsync(Client, EchoZip, prefix + "-a", ""","owner":"alice","metadata":{"stage":"prod"}""");
        var bad = await DeployAsync(Client, Zip(("other.py", "x = 1")), prefix + "-b", ""","owner":"bob" """);
        Assert.Equal("Ready", (string?)good["status"]);
        Assert.Equal("Failed", (string?)bad["status"]);

        async Task<List<string>> ExternalIds(string filter) =>
            (await Client.PostOkAsync("/functions/list", $$"""{"filter":{{filter}},"limit":1000}"""))["items"]!.AsArray()
                .Select(f => (string)f!["externalId"]!).Where(x => x.StartsWith(prefix, StringComparison.Ordinal)).Order().ToList();

        Assert.Equal([prefix + "-a", prefix + "-b"], await ExternalIds($$"""{"externalIdPrefix":"{{prefix}}"}"""));
        Assert.Equal([prefix + "-a"], await ExternalIds("""{"owner":"alice"}"""));
        Assert.Equal([prefix + "-b"], await ExternalIds($$"""{"name":"{{prefix}}-b"}"""));
        Assert.Equal([prefix + "-b"], await ExternalIds($$"""{"status":"Failed","externalIdPrefix":"{{prefix}}"}"""));
        Assert.Equal([prefix + "-a"], await ExternalIds("""{"metadata":{"stage":"prod"}}"""));
        Assert.Empty(await ExternalIds("""{"metadata":{"stage":"dev"}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/functions/list", """{"filter":{"colour":"red"}}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/functions/list", """{"cursor":"abc"}""")).Status);
    }

    public static TheoryData<string, string, string> BrokenPackages => new()
    {
        { "not-a-zip", "not a valid zip", "" },
        { "no-handler-file", "not found in the zip", "model.py" },
        { "nested-folder", "not found in the zip", "myfn/handler.py" },
        { "no-handle", "No 'handle' function", "must define: def handle(" },
        { "bad-requirements", "Invalid requirements.txt", "line 2: 'numpy = = 1'" },
    };

    [Theory]
    [MemberData(nameof(BrokenPackages))]
    public async Task A_broken_package_ends_failed_with_message_and_trace(string kind, string message, string traceFragment)
    {
        var bytes = kind switch
        {
            "not-a-zip" => "this is not a zip"u8.ToArray(),
            "no-handler-file" => Zip(("model.py", "def handle(data):\n    return 1\n")),
            "nested-folder" => Zip(("myfn/handler.py", "def handle(data):\n    return 1\n")),
            "no-handle" => Zip(("handler.py", "def predict(data):\n    return 1\n")),
            _ => Zip(("handler.py", "def handle(data):\n    return 1\n"), ("requirements.txt", "pandas\nnumpy = = 1\n")),
        };
        var function = await DeployAsync(Client, bytes, EmulatorFixture.Unique("fn-" + kind));
        Assert.Equal("Failed", (string?)function["status"]);
        Assert.Contains(message, (string)function["error"]!["message"]!);
        Assert.Contains(traceFragment, (string)function["error"]!["trace"]!);
        Assert.Equal(400, (int)function["error"]!["code"]!);

        var call = await TryCallAsync(Client, (long)function["id"]!, "{}", await NonceAsync(Client));
        Assert.Equal(HttpStatusCode.BadRequest, call.Status);
        Assert.Contains("Failed", (string)call.Error!["message"]!);
    }

    [Fact]
    public async Task Call_data_over_the_projects_limit_is_refused_before_the_nonce_is_spent()
    {
        var function = await DeployAsync(Client, EchoZip, EmulatorFixture.Unique("fn-big"));
        var id = (long)function["id"]!;
        var nonce = await NonceAsync(Client);
        var big = $$"""{"rows":"{{new string('x', 36 * 1000)}}"}""";

        var refused = await TryCallAsync(Client, id, big, nonce);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.Status);
        Assert.Contains("the limit is 36000 bytes", (string?)refused.Error!["message"]);
        Assert.Equal(HttpStatusCode.Created, (await TryCallAsync(Client, id, """{"rows":"small"}""", nonce)).Status);
    }

    [Fact]
    public async Task A_call_runs_the_handler_for_real_and_keeps_response_and_logs()
    {
        var function = await DeployAsync(Client, EchoZip, EmulatorFixture.Unique("fn-echo"), ""","secrets":{"db-password":"pw1"}""");
        var id = (long)function["id"]!;
        var call = await CallAndWaitAsync(Client, id, """{"x":[1,2,3],"name":"ünïcode"}""");
        Assert.Equal("Completed", (string?)call["status"]);
        Assert.Equal(id, (long)call["functionId"]!);
        Assert.True((long)call["endTime"]! >= (long)call["startTime"]!);
        Assert.Null(call["error"]);
        var callId = (long)call["id"]!;

        var response = await Client.GetAsync($"/functions/{id}/calls/{callId}/response");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var result = response.Body!["response"]!;
        Assert.Equal("""{"x":[1,2,3],"name":"ünïcode"}""", result["echo"]!.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }));
        Assert.Equal("hello", (string?)result["greeting"]);
        Assert.Equal(42, (int)result["helper"]!);
        Assert.Equal("db-password", (string?)result["secretKeys"]![0]);
        Assert.Equal(id, (long)result["info"]!["function_id"]!);
        Assert.Equal(callId, (long)result["info"]!["call_id"]!);
        Assert.Null(result["info"]!["schedule_id"]);

        var logs = await Client.GetAsync($"/functions/{id}/calls/{callId}/logs");
        var line = Assert.Single(logs.Body!["items"]!.AsArray());
        Assert.Equal($"handling call {callId}", (string?)line!["message"]);
        Assert.True((long)line["timestamp"]! >= (long)call["startTime"]!);

        var lastCalled = (await Client.GetAsync($"/functions/{id}")).Body!["lastCalled"];
        Assert.Equal((long)call["startTime"]!, (long)lastCalled!);
    }

    [Fact]
    public async Task Logs_capture_stdout_and_stderr_lines_and_none_is_a_null_response()
    {
        var function = await DeployAsync(Client, HandlerZip(LoggingHandler), EmulatorFixture.Unique("fn-logs"));
        var call = await CallAndWaitAsync(Client, (long)function["id"]!);
        Assert.Equal("Completed", (string?)call["status"]);
        var path = $"/functions/{function["id"]}/calls/{call["id"]}";
        var messages = (await Client.GetAsync(path + "/logs")).Body!["items"]!.AsArray().Select(l => (string)l!["message"]!).ToList();
        Assert.Equal(["stdout line 0", "stdout line 1", "stdout line 2", "warning on stderr"], messages.Order().ToList());
        var response = await Client.GetAsync(path + "/response");
        Assert.Equal(JsonValueKindNull, response.Body!["response"]?.GetValueKind() ?? JsonValueKindNull);
        Assert.Contains("\"response\":null", response.Text);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Fact]
    public async Task A_python_exception_fails_the_call_with_message_and_trace()
    {
        var function = await DeployAsync(Client, HandlerZip(RaisingHandler), EmulatorFixture.Unique("fn-raise"));
        var call = await CallAndWaitAsync(Client, (long)function["id"]!, """{"name":"m.pkl"}""");
        Assert.Equal("Failed", (string?)call["status"]);
        Assert.Equal("ValueError: model file is corrupt: m.pkl", (string?)call["error"]!["message"]);
        var trace = (string)call["error"]!["trace"]!;
        Assert.Contains("Traceback (most recent call last)", trace);
        Assert.Contains("handler.py", trace);
        var logs = (await Client.GetAsync($"/functions/{function["id"]}/calls/{call["id"]}/logs")).Text;
        Assert.Contains("ValueError", logs);
        Assert.Contains("\"response\":null", (await Client.GetAsync($"/functions/{function["id"]}/calls/{call["id"]}/response")).Text);
    }

    [Fact]
    public async Task A_call_past_the_timeout_is_killed_with_status_timeout()
    {
        var externalId = EmulatorFixture.Unique("fn-sleep");
        var function = await DeployAsync(Client, HandlerZip(SleepingHandler), externalId);
        var started = DateTime.UtcNow;
        var call = await CallAndWaitAsync(Client, (long)function["id"]!, """{"seconds":30}""");
        Assert.Equal("Timeout", (string?)call["status"]);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(20));
        Assert.Contains("timed out", (string)call["error"]!["message"]!);
        Assert.Contains("going to sleep", (await Client.GetAsync($"/functions/{function["id"]}/calls/{call["id"]}/logs")).Text);
        Assert.Equal(0, Server.Functions.RunningProcesses);
        Assert.Empty(PythonProcessesMentioning(Server.Functions.WorkFolder));
    }

    [Fact]
    public async Task A_response_over_the_size_limit_fails_the_call()
    {
        var function = await DeployAsync(Client, HandlerZip(LargeHandler), EmulatorFixture.Unique("fn-large"));
        var id = (long)function["id"]!;
        var small = await CallAndWaitAsync(Client, id, """{"size":1000}""");
        Assert.Equal("Completed", (string?)small["status"]);
        var large = await CallAndWaitAsync(Client, id, """{"size":100000}""");
        Assert.Equal("Failed", (string?)large["status"]);
        Assert.Contains("too large", (string)large["error"]!["message"]!);
        Assert.Contains("\"response\":null", (await Client.GetAsync($"/functions/{id}/calls/{large["id"]}/response")).Text);
    }

    [Theory]
    [InlineData("return {1, 2}")]
    [InlineData("return float('nan')")]
    public async Task A_return_value_that_is_not_json_fails_the_call(string body)
    {
        var function = await DeployAsync(Client, HandlerZip($"def handle():\n    {body}\n"), EmulatorFixture.Unique("fn-nonjson"));
        var call = await CallAndWaitAsync(Client, (long)function["id"]!);
        Assert.Equal("Failed", (string?)call["status"]);
        Assert.Contains("not JSON serializable", (string)call["error"]!["message"]!);
    }

    [Fact]
    public async Task Calls_need_a_fresh_single_use_nonce()
    {
        var function = await DeployAsync(Client, HandlerZip("def handle():\n    return 'ok'\n"), EmulatorFixture.Unique("fn-nonce"));
        var id = (long)function["id"]!;
        var missing = await TryCallAsync(Client, id, "{}", null);
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Contains("nonce", (string)missing.Error!["message"]!);
        Assert.Equal(HttpStatusCode.BadRequest, (await TryCallAsync(Client, id, "{}", "made-up")).Status);

        var nonce = await NonceAsync(Client);
        var first = await TryCallAsync(Client, id, "{}", nonce);
        Assert.Equal(HttpStatusCode.Created, first.Status);
        var reused = await TryCallAsync(Client, id, "{}", nonce);
        Assert.Equal(HttpStatusCode.Unauthorized, reused.Status);
        Assert.Contains("already been used", (string)reused.Error!["message"]!);

        var stale = await NonceAsync(Client);
        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        var expired = await TryCallAsync(Client, id, "{}", stale);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Contains("expired", (string)expired.Error!["message"]!);

        Assert.Single(Server.Functions.Calls(Server.Project, id));
        var done = await Server.Functions.WaitForCallAsync(Server.Project, (long)first.Body!["id"]!);
        Assert.Equal("\"ok\"", done.ResponseJson);
        Assert.NotNull(done.SessionId);
    }

    [Fact]
    public async Task Calls_list_pages_with_cursors_filters_by_status_and_byids()
    {
        var function = await DeployAsync(Client, HandlerZip("def handle(data):\n    if data.get('fail'):\n        raise RuntimeError('no')\n    return data\n"),
            EmulatorFixture.Unique("fn-calls"));
        var id = (long)function["id"]!;
        var ids = new List<long>();
        foreach (var data in new[] { "{}", "{}", """{"fail":true}""", "{}" })
        {
            ids.Add((long)(await CallAndWaitAsync(Client, id, data))["id"]!);
        }

        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var body = cursor is null ? """{"limit":100}""" : $$"""{"limit":100,"cursor":"{{cursor}}"}""";
            var page = await Client.PostOkAsync($"/functions/{id}/calls/list", body);
            seen.AddRange(page["items"]!.AsArray().Select(c => (long)c!["id"]!));
            cursor = (string?)page["nextCursor"];
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(2, pages);
        Assert.Equal(ids, seen);

        var failed = await Client.PostOkAsync($"/functions/{id}/calls/list", """{"filter":{"status":"Failed"}}""");
        Assert.Equal(ids[2], (long)Assert.Single(failed["items"]!.AsArray())!["id"]!);
        var byIds = await Client.PostOkAsync($"/functions/{id}/calls/byids", $$"""{"items":[{"id":{{ids[3]}}},{"id":{{ids[0]}}}]}""");
        Assert.Equal([ids[3], ids[0]], byIds["items"]!.AsArray().Select(c => (long)c!["id"]!).ToList());
        var unknown = await Client.PostAsync($"/functions/{id}/calls/byids", """{"items":[{"id":123}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal(123, (long)unknown.Error!["missing"]![0]!["id"]!);
    }

    [Fact]
    public async Task Create_validates_the_code_file_and_the_limits()
    {
        var fileId = await UploadAsync(Client, EchoZip);
        async Task<ApiResponse> Create(string extra) => await TryCreateAsync(Client, fileId, EmulatorFixture.Unique("fn-limits"), extra);
        async Task BadRequest(string extra, string fragment)
        {
            var response = await Create(extra);
            Assert.True(response.Status == HttpStatusCode.BadRequest, $"{extra}: {(int)response.Status} {response.Text}");
            Assert.Contains(fragment, (string)response.Error!["message"]!);
        }

        var tooMany = string.Join(",", Enumerable.Range(0, 17).Select(i => $"\"k{i}\":\"v\""));
        await BadRequest($$""","metadata":{{{tooMany}}}""", "at most 16");
        await BadRequest($$""","metadata":{"{{new string('k', 33)}}":"v"}""", "longer than 32");
        await BadRequest($$""","metadata":{"k":"{{new string('v', 513)}}"}""", "longer than 512");
        await BadRequest($$""","metadata":{"a":"{{new string('v', 300)}}","b":"{{new string('v', 300)}}"}""", "bytes in total");
        var secrets = string.Join(",", Enumerable.Range(0, 31).Select(i => $"\"s{i}\":\"v\""));
        await BadRequest($$""","secrets":{{{secrets}}}""", "At most 30 secrets");
        await BadRequest(""","secrets":{"API_KEY":"v"}""", "Invalid secret key");
        await BadRequest(""","secrets":{"a-very-long-secret-key":"v"}""", "Invalid secret key");
        await BadRequest(""","envVars":{"bad-name":"v"}""", "Invalid envVars key");
        await BadRequest(""","runtime":"py27" """, "runtime must be one of");
        await BadRequest(""","runtime":"py39" """, "runtime must be one of");
        await BadRequest(""","cpu":99""", "cpu must be between");
        await BadRequest(""","functionPath":"../handler.py" """, "functionPath");
        await BadRequest(""","functionPath":"handler.txt" """, "functionPath");
        await BadRequest(""","apiKey":"x" """, "Unrecognized field");
        Assert.Equal(HttpStatusCode.Created, (await Create(""","metadata":{"a":"1"},"secrets":{"ok-key-1":"v"}""")).Status);

        var noName = await Client.PostAsync("/functions", $$"""{"items":[{"fileId":{{fileId}}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, noName.Status);
        var two = await Client.PostAsync("/functions", $$"""{"items":[{"name":"a","fileId":{{fileId}}},{"name":"b","fileId":{{fileId}}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, two.Status);
        var unknownFile = await Client.PostAsync("/functions", """{"items":[{"name":"a","fileId":4242}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknownFile.Status);
        var notUploaded = (long)(await Client.CreateFileAsync(EmulatorFixture.Unique("empty"), "code.zip"))["id"]!;
        var pending = await Client.PostAsync("/functions", $$"""{"items":[{"name":"a","fileId":{{notUploaded}}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, pending.Status);
        Assert.Contains("not been uploaded", (string)pending.Error!["message"]!);

        var externalId = EmulatorFixture.Unique("fn-dup");
        Assert.Equal(HttpStatusCode.Created, (await TryCreateAsync(Client, fileId, externalId)).Status);
        var duplicate = await TryCreateAsync(Client, fileId, externalId);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Status);
        Assert.Equal(externalId, (string?)duplicate.Error!["duplicated"]![0]!["externalId"]);

        var limits = await Client.GetAsync("/functions/limits");
        Assert.Equal(HttpStatusCode.OK, limits.Status);
        Assert.Equal(["py310", "py311", "py312", "py313"], limits.Body!["runtimes"]!.AsArray().Select(r => (string)r!).ToList());
        Assert.Equal(1, (int)limits.Body["timeoutMinutes"]!);
        Assert.Equal(1, (int)limits.Body["responseSizeMb"]!);
        Assert.NotNull(limits.Body["cpuCores"]!["max"]);
    }

    [Fact]
    public async Task Delete_removes_the_function_and_frees_its_external_id()
    {
        var externalId = EmulatorFixture.Unique("fn-del");
        var function = await DeployAsync(Client, EchoZip, externalId);
        await Client.PostOkAsync("/functions/delete", $$"""{"items":[{"externalId":"{{externalId}}"}]}""");
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/functions/{function["id"]}")).Status);
        var missing = await Client.PostAsync("/functions/byids", $$"""{"items":[{"id":{{function["id"]}}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.NotNull(missing.Error!["missing"]);
        var ignored = await Client.PostOkAsync("/functions/byids", $$"""{"items":[{"id":{{function["id"]}}}],"ignoreUnknownIds":true}""");
        Assert.Empty(ignored["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/functions/delete", $$"""{"items":[{"externalId":"{{externalId}}"}]}""")).Status);
        await DeployAsync(Client, EchoZip, externalId);
    }

    [Fact]
    public async Task Capabilities_are_checked_read_write_and_run()
    {
        var function = await DeployAsync(Client, HandlerZip("def handle(data):\n    return data\n"), EmulatorFixture.Unique("fn-acl"));
        var id = (long)function["id"]!;
        using var reader = await CdfTestClient.ConnectAsync(Server, clientId: FunctionsFixture.ReaderId, clientSecret: FunctionsFixture.Secret);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/functions/{id}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("/functions/delete", $$"""{"items":[{"id":{{id}}}]}""")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await TryCallAsync(reader, id, "{}", await NonceAsync(Client))).Status);
        var create = await TryCreateAsync(reader, (long)function["fileId"]!, EmulatorFixture.Unique("fn-acl"));
        Assert.Equal(HttpStatusCode.Forbidden, create.Status);
        Assert.Contains("functionsAcl:WRITE", (string)create.Error!["message"]!);

        using var runner = await CdfTestClient.ConnectAsync(Server, clientId: FunctionsFixture.RunnerId, clientSecret: FunctionsFixture.Secret);
        var run = await TryCallAsync(runner, id, """{"v":1}""", await NonceAsync(Client));
        Assert.Equal(HttpStatusCode.Created, run.Status);
        Assert.Equal("Completed", (await Server.Functions.WaitForCallAsync(Server.Project, (long)run.Body!["id"]!)).Status);
        using var anonymous = CdfTestClient.Anonymous(Server);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/functions")).Status);
    }

    [Fact]
    public async Task The_handler_gets_only_the_arguments_its_signature_names_and_its_env_vars()
    {
        var handler = "import os\n\ndef handle(function_call_info, data):\n    return {'keys': sorted(function_call_info), 'data': data, 'env': os.environ.get('MODEL_NAME'), 'cwd': os.path.basename(os.getcwd())}\n";
        var function = await DeployAsync(Client, Zip(("src/main.py", handler)), EmulatorFixture.Unique("fn-sig"),
            ""","functionPath":"src/main.py","envVars":{"MODEL_NAME":"m7"}""");
        Assert.Equal("src/main.py", (string?)function["functionPath"]);
        var call = await CallAndWaitAsync(Client, (long)function["id"]!, """{"a":1}""");
        Assert.Equal("Completed", (string?)call["status"]);
        var response = (await Client.GetAsync($"/functions/{function["id"]}/calls/{call["id"]}/response")).Body!["response"]!;
        Assert.Equal(["call_id", "function_id"], response["keys"]!.AsArray().Select(k => (string)k!).ToList());
        Assert.Equal(1, (int)response["data"]!["a"]!);
        Assert.Equal("m7", (string?)response["env"]);
        Assert.Equal("code", (string?)response["cwd"]);
    }
}
