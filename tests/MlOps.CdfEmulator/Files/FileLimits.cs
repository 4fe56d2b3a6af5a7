using System.Text;

namespace MlOps.CdfEmulator;

/// <summary>Field limits of the Files API (same family as assets and events).</summary>
internal static class FileLimits
{
    public const int ExternalId = 255;
    public const int Name = 256;
    public const int Directory = 512;
    public const int Source = 128;
    public const int MimeType = 256;
    public const int MetadataKeyBytes = 128;
    public const int MetadataValueBytes = 10240;
    public const int MetadataPairs = 256;
    public const int MetadataTotalBytes = 10240;
    public const int AssetIds = 1000;
    public const int SecurityCategories = 100;
    public const int Labels = 10;
    public const int MaxItems = 1000;

    public static void CheckMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count > MetadataPairs)
        {
            throw CdfApiException.BadRequest($"metadata must have at most {MetadataPairs} key-value pairs (was {metadata.Count}).");
        }

        var total = 0L;
        foreach (var (key, value) in metadata)
        {
            var keyBytes = Encoding.UTF8.GetByteCount(key);
            var valueBytes = Encoding.UTF8.GetByteCount(value);
            if (keyBytes > MetadataKeyBytes)
            {
                throw CdfApiException.BadRequest($"metadata keys can be at most {MetadataKeyBytes} bytes (key '{Cut(key)}' has {keyBytes}).");
            }

            if (valueBytes > MetadataValueBytes)
            {
                throw CdfApiException.BadRequest($"metadata values can be at most {MetadataValueBytes} bytes (value of '{Cut(key)}' has {valueBytes}).");
            }

            total += keyBytes + valueBytes;
        }

        if (total > MetadataTotalBytes)
        {
            throw CdfApiException.BadRequest($"metadata can be at most {MetadataTotalBytes} bytes in total, keys and values (was {total}).");
        }
    }

    public static void CheckDirectory(string directory)
    {
        if (!directory.StartsWith('/'))
        {
            throw CdfApiException.BadRequest($"directory must be an absolute, unix-style path (was '{Cut(directory)}').");
        }
    }

    private static string Cut(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
