using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace MlOps.Cdf
{
    /// <summary>
    /// CDF Files (as CogniteSdk's <c>client.Files</c>). Creates, uploads, updates and deletes are not repeated after a
    /// 5xx or dropped connection (they may have happened); after such a failure, re-read by externalId before retrying.
    /// </summary>
    public interface ICdfFiles
    {
        /// <summary><c>POST /files</c>: creates the metadata and returns the upload URL; a duplicate externalId throws
        /// <c>CdfDuplicated</c> with a <see cref="CdfDuplicateException"/> inside, unless <paramref name="overwrite"/>.</summary>
        Task<CdfFileUpload> CreateAsync(FileCreate file, bool overwrite = false, CancellationToken cancellationToken = default);

        /// <summary>
        /// PUTs <paramref name="length"/> bytes of <paramref name="content"/> to a pre-signed upload URL, streamed, without the
        /// CDF Authorization header. Retried only when the stream can seek back. Length defaults to the rest of a seekable stream.
        /// </summary>
        Task UploadContentAsync(string uploadUrl, Stream content, long? length = null, string? mimeType = null, CancellationToken cancellationToken = default);

        /// <summary>Creates the file and uploads its content; content above the multipart part size goes in parts.</summary>
        Task<CdfFile> UploadAsync(FileCreate file, Stream content, long? length = null, bool overwrite = false, CancellationToken cancellationToken = default);

        /// <summary><c>POST /files/initmultipartupload?parts=N</c>.</summary>
        Task<CdfMultipartFileUpload> InitMultipartUploadAsync(FileCreate file, int parts, bool overwrite = false, CancellationToken cancellationToken = default);

        /// <summary><c>POST /files/completemultipartupload</c> after every part has been uploaded.</summary>
        Task CompleteMultipartUploadAsync(Identity file, string uploadId, CancellationToken cancellationToken = default);

        /// <summary>Init, PUT each part of <paramref name="length"/> bytes in order, complete; parts of the configured size.</summary>
        Task<CdfFile> UploadMultipartAsync(FileCreate file, Stream content, long length, bool overwrite = false, CancellationToken cancellationToken = default);

        /// <summary>One page of <c>POST /files/list</c>.</summary>
        Task<ItemsWithCursor<CdfFile>> ListAsync(FileQuery query, CancellationToken cancellationToken = default);

        /// <summary>Every matching file: follows <c>nextCursor</c> until the last page. No order is guaranteed.</summary>
        Task<IReadOnlyList<CdfFile>> ListAllAsync(FileFilter? filter = null, CancellationToken cancellationToken = default);

        /// <summary><c>GET /files/{id}</c>.</summary>
        Task<CdfFile> GetAsync(long id, CancellationToken cancellationToken = default);

        /// <summary><c>POST /files/byids</c>; unknown ids throw <c>CdfResourceNotFound</c> unless <paramref name="ignoreUnknownIds"/>.</summary>
        Task<IReadOnlyList<CdfFile>> RetrieveAsync(IEnumerable<Identity> ids, bool ignoreUnknownIds = false, CancellationToken cancellationToken = default);

        /// <summary><c>POST /files/downloadlink</c>.</summary>
        Task<IReadOnlyList<FileDownloadLink>> DownloadLinkAsync(IEnumerable<Identity> ids, bool extendedExpiration = false, CancellationToken cancellationToken = default);

        /// <summary>The file's content as a stream read as it arrives (dispose it to release the connection).</summary>
        Task<Stream> DownloadAsync(Identity file, CancellationToken cancellationToken = default);

        /// <summary><c>POST /files/delete</c>.</summary>
        Task DeleteAsync(IEnumerable<Identity> ids, bool ignoreUnknownIds = false, CancellationToken cancellationToken = default);

        /// <summary><c>POST /files/update</c>.</summary>
        Task<IReadOnlyList<CdfFile>> UpdateAsync(IEnumerable<FileUpdateItem> items, CancellationToken cancellationToken = default);
    }
}
