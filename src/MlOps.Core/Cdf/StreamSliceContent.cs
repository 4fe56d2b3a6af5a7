using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;

namespace MlOps.Cdf
{
    /// <summary>
    /// Sends exactly <c>length</c> bytes read from a stream, in small chunks, with <c>Content-Length</c> set, so an
    /// upload of any size holds only one buffer in memory. The stream is not disposed.
    /// </summary>
    internal sealed class StreamSliceContent : HttpContent
    {
        private const int BufferSize = 81920;
        private readonly Stream source;
        private readonly long length;

        public StreamSliceContent(Stream source, long length)
        {
            this.source = source;
            this.length = length;
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            if (source.CanSeek && source.Length - source.Position == length)
            {
                // The whole rest of the stream: it copies itself, which a stream holding its bytes in buffers does without
                // a copy. The HTTP client checks that exactly Content-Length bytes went out.
                await source.CopyToAsync(stream, BufferSize).ConfigureAwait(false);
                return;
            }

            var buffer = new byte[(int)Math.Min(BufferSize, Math.Max(1, length))];
            var remaining = length;
            while (remaining > 0)
            {
                var read = await source.ReadAsync(buffer, 0, (int)Math.Min(buffer.Length, remaining)).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException($"The content stream ended after {length - remaining} of {length} bytes.");
                }

                await stream.WriteAsync(buffer, 0, read).ConfigureAwait(false);
                remaining -= read;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = this.length;
            return true;
        }
    }
}
