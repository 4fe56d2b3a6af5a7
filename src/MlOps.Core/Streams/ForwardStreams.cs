using System;
using System.IO;

namespace MlOps.Streams
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

    /// <summary>
    /// The base of MlOps's write-only, forward-only streams (stored gzip, upload pipe, part spool): only
    /// <see cref="Stream.Write(byte[], int, int)"/> is theirs (and, where they have one, a position or a flush); reading,
    /// seeking and length are not supported.
    /// </summary>
    internal abstract class ForwardWriteStream : Stream
    {
        public sealed override bool CanRead => false;
        public sealed override bool CanSeek => false;
        public sealed override bool CanWrite => true;
        public sealed override long Length => throw new NotSupportedException();

        /// <summary>Not supported unless a stream counts what it was given.</summary>
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public sealed override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public sealed override void SetLength(long value) => throw new NotSupportedException();
    }
}
