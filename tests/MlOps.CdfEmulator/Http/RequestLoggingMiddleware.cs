using System.Security.Cryptography;
using System.Text;

namespace MlOps.CdfEmulator;

/// <summary>Gives every response an <c>X-Request-ID</c> and records the request (headers and non-file bodies verbatim).</summary>
internal sealed class RequestLoggingMiddleware(RequestDelegate next, RequestLog log, EmulatorClock clock)
{
    public const string FaultItem = "cdf-emulator-fault";
    public const string DroppedItem = "cdf-emulator-dropped";
    public const string EntryItem = "cdf-emulator-log-entry";

    // Bodies above this are cut in the log; JSON bodies of the API are far smaller.
    private const int MaxLoggedBody = 1024 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var request = context.Request;
        var entry = log.Add(sequence => new LoggedRequest
        {
            Sequence = sequence,
            Time = clock.GetUtcNow(),
            Method = request.Method,
            Path = request.Path.Value ?? "/",
            Query = request.QueryString.Value ?? "",
            Route = RoutePattern.RouteOf(request),
            RequestId = requestId,
            Headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
        });

        context.Items[EntryItem] = entry;

        // Recorded as the response starts, not after the pipeline returns: a client may read the log as soon as
        // it has the answer, which can be before this middleware resumes.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers["X-Request-ID"] = requestId;

            // Kestrel still runs OnStarting after a dropped connection; nothing reached the client then.
            if (!context.Items.ContainsKey(DroppedItem))
            {
                entry.Status = context.Response.StatusCode;
            }

            if (request.Body is CountingStream counting)
            {
                entry.BodyLength = counting.BytesRead;
            }

            return Task.CompletedTask;
        });

        var isFileContent = FileTransferEndpoints.IsTransferPath(request.Path);
        if (isFileContent)
        {
            // File bytes are counted, never kept: they can be large and the log must stay searchable.
            var counting = new CountingStream(request.Body);
            request.Body = counting;
            context.Response.OnCompleted(() =>
            {
                entry.BodyLength = counting.BytesRead;
                return Task.CompletedTask;
            });
        }
        else if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0 || request.Headers.ContentEncoding.Count > 0)
        {
            request.EnableBuffering();
            using var copy = new MemoryStream();
            await request.Body.CopyToAsync(copy, context.RequestAborted);
            entry.BodyLength = copy.Length;
            var bytes = copy.GetBuffer().AsSpan(0, (int)Math.Min(copy.Length, MaxLoggedBody));
            entry.Body = Encoding.UTF8.GetString(bytes);
            request.Body.Position = 0;
        }

        try
        {
            await next(context);
            var dropped = context.Items.ContainsKey(DroppedItem)
                || (context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted);
            entry.Status = dropped ? 0 : context.Response.StatusCode;
            entry.Completed = !dropped;
        }
        finally
        {
            entry.Fault = context.Items.TryGetValue(FaultItem, out var fault) ? fault as string : null;
            if (!entry.Completed)
            {
                entry.Status = context.Response.HasStarted ? context.Response.StatusCode : 0;
            }

            if (isFileContent && request.Body is CountingStream counted)
            {
                entry.BodyLength = counted.BytesRead;
            }
        }
    }
}
