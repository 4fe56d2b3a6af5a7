namespace MlOps.CdfEmulator;

/// <summary>Applies <see cref="Faults"/> in front of every endpoint (token, API, upload and download alike).</summary>
internal sealed class FaultMiddleware(RequestDelegate next, Faults faults)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var route = RoutePattern.RouteOf(context.Request);
        var action = faults.Next(context.Request.Method, route);
        if (action is null || action.Kind == FaultKind.Pass)
        {
            await next(context);
            return;
        }

        context.Items[RequestLoggingMiddleware.FaultItem] = action.ToString();
        if (context.Items[RequestLoggingMiddleware.EntryItem] is LoggedRequest entry)
        {
            // Set now: the client may look at the log before this request's pipeline has unwound.
            entry.Fault = action.ToString();
        }

        switch (action.Kind)
        {
            case FaultKind.Status:
                var failure = new CdfApiException(action.StatusCode, MessageFor(action.StatusCode));
                if (action.RetryAfterSeconds is int seconds)
                {
                    failure.Headers["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                throw failure;

            case FaultKind.Delay:
                await Task.Delay(action.Delay, context.RequestAborted);
                await next(context);
                return;

            case FaultKind.DropConnection:
                await DropAsync(context, action.DropAfterBytes);
                return;

            case FaultKind.FailAfterCommit:
                await FailAfterCommitAsync(context, action.StatusCode);
                return;
        }
    }

    private static async Task DropAsync(HttpContext context, long afterBytes)
    {
        var buffer = new byte[81920];
        var remaining = afterBytes;
        while (remaining > 0)
        {
            var read = await context.Request.Body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), context.RequestAborted);
            if (read == 0)
            {
                break;
            }

            remaining -= read;
        }

        context.Items[RequestLoggingMiddleware.DroppedItem] = true;
        context.Abort();
    }

    private async Task FailAfterCommitAsync(HttpContext context, int statusCode)
    {
        // Let the endpoint do its work into a buffer nobody will see, then answer as if it had failed.
        var original = context.Response.Body;
        context.Response.Body = Stream.Null;
        try
        {
            await next(context);
        }
        catch (CdfApiException)
        {
            // The real outcome is hidden either way; the client only sees the injected status.
        }
        finally
        {
            context.Response.Body = original;
        }

        context.Response.Clear();
        throw new CdfApiException(statusCode, MessageFor(statusCode));
    }

    private static string MessageFor(int statusCode) => statusCode switch
    {
        429 => "Too many requests. Please retry later.",
        500 => "Internal server error.",
        502 => "Bad gateway.",
        503 => "Service unavailable. Please retry later.",
        504 => "Gateway timeout.",
        _ => "Injected fault.",
    };
}
