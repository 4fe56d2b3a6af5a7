using System;
using System.IO;

namespace MlOps.Registry
{
    /// <summary>
    /// The base of MlOps's read-only, forward-only streams (read-ahead, hashing, bounded tar entries, source files): only
    /// <see cref="Stream.Read(byte[], int, int)"/> is theirs; seeking, length, position and writing are not supported.
    /// </summary>
    internal abstract class ForwardReadStream : Stream
    {
        public sealed override bool CanRead => true;
        public sealed override bool CanSeek => false;
        public sealed override bool CanWrite => false;
        public sealed override long Length => throw new NotSupportedException();
        public sealed override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public sealed override void Flush()
        {
        }

        public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public sealed override void SetLength(long value) => throw new NotSupportedException();

        public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
