namespace MlOps.CdfEmulator;

/// <summary>Turns exceptions and bodiless error statuses (unknown route, wrong method) into CDF's error envelope.</summary>
internal sealed class ErrorEnvelopeMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (CdfApiException failure) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await CdfJson.WriteErrorAsync(context, failure);
            return;
        }
        catch (BadHttpRequestException bad) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await CdfJson.WriteAsync(context, bad.StatusCode, CdfJson.Error(bad.StatusCode, bad.Message));
            return;
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (or a fault dropped the connection): nobody is left to answer.
            return;
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await CdfJson.WriteAsync(context, 500, CdfJson.Error(500, "Internal emulator error: " + e.Message));
            return;
        }

        if (context.Response is { HasStarted: false, StatusCode: >= 400, ContentLength: null, ContentType: null })
        {
            var status = context.Response.StatusCode;
            var message = status switch
            {
                404 => $"Not found: {context.Request.Method} {context.Request.Path}",
                405 => $"Method {context.Request.Method} is not allowed on {context.Request.Path}",
                _ => "Request failed",
            };
            await CdfJson.WriteAsync(context, status, CdfJson.Error(status, message));
        }
    }
}
