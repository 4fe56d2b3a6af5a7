using System.Text.Json;

namespace MlOps.CdfEmulator;

/// <summary>Standalone mode's <c>--request-log</c>: the request log appended to a file as JSON lines while the emulator runs.</summary>
internal static class RequestLogFile
{
    public static async Task WriteAsync(RequestLog log, string path, CancellationToken stop)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        long written = 0;
        while (true)
        {
            var stopping = stop.IsCancellationRequested;
            var ready = new List<LoggedRequest>();
            foreach (var entry in log.All.Where(e => e.Sequence > written).OrderBy(e => e.Sequence))
            {
                // A request's body is recorded just after it is logged: wait for it to finish (or a second) unless stopping.
                if (!stopping && !entry.Completed && DateTimeOffset.UtcNow - entry.Time < TimeSpan.FromSeconds(1))
                {
                    break;
                }

                ready.Add(entry);
            }

            if (ready.Count > 0)
            {
                await File.AppendAllLinesAsync(path, ready.Select(e => JsonSerializer.Serialize(new
                {
                    sequence = e.Sequence, time = e.Time, method = e.Method, path = e.Path, query = e.Query, route = e.Route,
                    requestId = e.RequestId, headers = e.Headers, body = e.Body, bodyLength = e.BodyLength, status = e.Status, fault = e.Fault,
                })), CancellationToken.None);
                written = ready[^1].Sequence;
            }

            if (stopping)
            {
                return;
            }

            try
            {
                await Task.Delay(200, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
