using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace MlOps.Cdf
{
    /// <summary>A response body read as it arrives; disposing it releases the response and its connection.</summary>
    internal sealed class HttpResponseStream : Stream
    {
        private readonly HttpResponseMessage response;
        private readonly Stream inner;

        public HttpResponseStream(HttpResponseMessage response, Stream inner)
        {
            this.response = response;
            this.inner = inner;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        /// <summary>The <c>Content-Length</c> of the download; throws when the server sent none.</summary>
        public override long Length => response.Content.Headers.ContentLength ?? throw new NotSupportedException("The length is not known.");

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
