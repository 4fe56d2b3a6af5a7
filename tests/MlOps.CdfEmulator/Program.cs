using System.Globalization;
using MlOps.CdfEmulator;

// Standalone mode: dotnet run --project tests/MlOps.CdfEmulator -- [--urls http://127.0.0.1:5080] [--project name]...
//   [--storage-port n] [--client-id x (--client-secret y | --client-secret-variable NAME)] [--page-size n] [--uploaded-delay-ms n] [--token-lifetime s] [--storage dir] [--api-key k]
//   [--build-delay-ms n] [--call-timeout-s n] [--python path] [--request-log file]
// --request-log appends every request as a JSON line (method, path, query, route, headers, body, status, fault) to the file,
// about every 200 ms and at shutdown, so tests that start the emulator as a process can search it (for leaked secrets).
// --client-secret-variable reads the secret from an environment variable (not on the command line, where other users'
// process lists show it). A secret given either way is never printed; only the well-known default is.
var projects = new List<string>();
string? clientId = null, clientSecret = null, storage = null;
var port = 5080;
int? storagePort = null;
var pageSize = 1000;
var uploadedDelayMs = 0;
var tokenLifetime = 3600;
var buildDelayMs = 300;
var callTimeoutSeconds = 60;
string? python = null;
string? requestLog = null;
var apiKeys = new List<EmulatorApiKey>();
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--urls":
            var uri = new Uri(Value().Split(';')[0]);
            if (uri.Host is not ("127.0.0.1" or "localhost"))
            {
                Console.Error.WriteLine($"Refusing to listen on {uri.Host}: the emulator only listens on 127.0.0.1.");
                return 2;
            }

            port = uri.Port;
            break;
        case "--storage-port": storagePort = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--project": projects.Add(Value()); break;
        case "--client-id": clientId = Value(); break;
        case "--client-secret": clientSecret = Value(); break;
        case "--client-secret-variable":
            var variable = Value();
            clientSecret = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(clientSecret))
            {
                Console.Error.WriteLine($"The environment variable {variable} (--client-secret-variable) is not set.");
                return 2;
            }

            break;
        case "--page-size": pageSize = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--uploaded-delay-ms": uploadedDelayMs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--token-lifetime": tokenLifetime = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--storage": storage = Value(); break;
        case "--api-key": apiKeys.Add(new EmulatorApiKey { Key = Value() }); break;
        case "--build-delay-ms": buildDelayMs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--call-timeout-s": callTimeoutSeconds = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--python": python = Value(); break;
        case "--request-log": requestLog = Path.GetFullPath(Value()); break;
        default:
            Console.Error.WriteLine($"Unknown argument {args[i]}. See the comment at the top of Program.cs.");
            return 2;
    }
}

var options = new CdfEmulatorOptions
{
    Projects = projects.Count > 0 ? projects : ["emulator"],
    Clients = [new EmulatorClient { ClientId = clientId ?? EmulatorClient.DefaultClientId, ClientSecret = clientSecret ?? EmulatorClient.DefaultClientSecret }],
    ApiKeys = apiKeys,
    Port = port,
    StoragePort = storagePort ?? (port == 0 ? 0 : port + 1),
    MaxPageSize = pageSize,
    UploadedDelay = TimeSpan.FromMilliseconds(uploadedDelayMs),
    TokenLifetime = TimeSpan.FromSeconds(tokenLifetime),
    StorageFolder = storage,
    FunctionBuildDelay = TimeSpan.FromMilliseconds(buildDelayMs),
    FunctionCallTimeout = TimeSpan.FromSeconds(callTimeoutSeconds),
    PythonPath = python,
    LogToConsole = true,
};

await using var server = await CdfEmulatorServer.StartAsync(options);
Console.WriteLine($"CDF emulator listening on {server.BaseUrl}");
Console.WriteLine($"  token URL:     {server.TokenUrl}");
foreach (var project in options.Projects)
{
    Console.WriteLine($"  project:       {project}  ({server.ApiUrl(project)})");
}

Console.WriteLine($"  base URL:      {server.BaseUrl}  (what SDKs call baseUrl / cluster URL)");
Console.WriteLine($"  client id:     {options.Clients[0].ClientId}");
Console.WriteLine(clientSecret == null
    ? $"  client secret: {EmulatorClient.DefaultClientSecret}  (the default; --client-secret-variable sets your own)"
    : "  client secret: the one you gave (not shown)");
Console.WriteLine($"  storage URLs:  {server.StorageBaseUrl}  (upload/download links)");
Console.WriteLine($"  storage:       {server.Files.StorageFolder}");
Console.WriteLine($"  python:        {server.Functions.Interpreter}  (runs function calls; nothing is pip-installed)");
if (requestLog != null)
{
    Console.WriteLine($"  request log:   {requestLog}");
}

Console.WriteLine("Press Ctrl+C to stop.");
using var stopLog = new CancellationTokenSource();
var logWriter = requestLog == null ? Task.CompletedTask : RequestLogFile.WriteAsync(server.Requests, requestLog, stopLog.Token);
await server.WaitForShutdownAsync();
stopLog.Cancel();
await logWriter;
return 0;
