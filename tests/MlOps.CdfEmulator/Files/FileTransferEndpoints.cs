namespace MlOps.CdfEmulator;

/// <summary>
/// The pre-signed upload and download URLs. They live outside <c>/api/v1</c> and need no Authorization header,
/// like the cloud-storage URLs real CDF hands out. Bytes stream straight to and from disk.
/// </summary>
internal sealed class FileTransferEndpoints(FileStore files, CdfEmulatorOptions options)
{
    public const string UploadPrefix = "/upload/";
    public const string DownloadPrefix = "/download/";
    private readonly BandwidthLimit _up = new(options.TransferBytesPerSecond);
    private readonly BandwidthLimit _down = new(options.TransferBytesPerSecond);

    public static bool IsTransferPath(PathString path) =>
        path.StartsWithSegments(UploadPrefix.TrimEnd('/')) || path.StartsWithSegments(DownloadPrefix.TrimEnd('/'));

    /// <summary>The storage origin's port; transfers on any other port are 404, as the API host has no such paths.</summary>
    internal int StoragePort { get; set; }

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPut(UploadPrefix + "{token}", UploadAsync);
        routes.MapGet(DownloadPrefix + "{token}", DownloadAsync);
    }

    private async Task UploadAsync(HttpContext context)
    {
        // Through Private Link (relative upload URLs) uploads come to the API origin; otherwise only the storage origin takes them.
        if (!options.RelativeUploadUrls)
        {
            RequireStorageOrigin(context);
        }

        var token = context.Request.RouteValues["token"] as string ?? "";
        var link = files.FindUploadLink(token) ?? throw new CdfApiException(403, "The upload URL is unknown or has expired.");
        var temp = files.NewTempPath(link.FileId);
        long length;
        try
        {
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await _up.CopyAsync(context.Request.Body, output, context.RequestAborted);
                length = output.Length;
            }
        }
        catch
        {
            // A broken upload leaves no trace: the file keeps whatever content it had before.
            File.Delete(temp);
            throw;
        }

        if (context.Request.ContentLength is long declared && declared != length)
        {
            File.Delete(temp);
            throw CdfApiException.BadRequest($"Received {length} bytes but Content-Length said {declared}.");
        }

        if (!files.CommitUpload(link, temp, length))
        {
            throw new CdfApiException(404, "The file was deleted or its upload was replaced.");
        }

        context.Response.StatusCode = 200;
        context.Response.ContentLength = 0;
    }

    private async Task DownloadAsync(HttpContext context)
    {
        RequireStorageOrigin(context);
        var token = context.Request.RouteValues["token"] as string ?? "";
        var link = files.FindDownloadLink(token) ?? throw new CdfApiException(403, "The download URL is unknown or has expired.");
        var file = files.Find(link.Project, link.FileId);
        if (file?.ContentPath is null)
        {
            throw new CdfApiException(404, "The file no longer exists.");
        }

        // Open before answering, so a concurrent overwrite cannot swap the bytes under a started response.
        await using var content = new FileStream(file.ContentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, useAsync: true);
        context.Response.StatusCode = 200;
        context.Response.ContentType = file.MimeType ?? "application/octet-stream";
        context.Response.ContentLength = content.Length;
        await _down.CopyAsync(content, context.Response.Body, context.RequestAborted);
    }

    private void RequireStorageOrigin(HttpContext context)
    {
        if (context.Connection.LocalPort != StoragePort)
        {
            throw CdfApiException.NotFound($"Not found: {context.Request.Method} {context.Request.Path} (transfers are served on the storage origin).");
        }
    }
}
