using MlOps.Registry;
using MlOps.Streams;
using Xunit;

namespace MlOps.Core.Tests.Registry;

/// <summary>The download read-ahead: the same bytes in order, the inner stream's failure as it was, and a clean stop.</summary>
public sealed class ReadAheadStreamTests
{
    /// <summary>Gives its bytes in small uneven reads, then fails (or ends) after <paramref name="failAfter"/> bytes.</summary>
    private sealed class Trickle(byte[] data, int failAfter = -1) : Stream
    {
        private int _position;

        public bool Disposed { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (failAfter >= 0 && _position >= failAfter)
            {
                throw new IOException("connection reset (test)");
            }

            var n = Math.Min(Math.Min(count, 7919), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    private static byte[] Data(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(ReadAheadStream.BufferSize)]
    [InlineData(ReadAheadStream.BufferSize * ReadAheadStream.BufferCount * 3 + 12345)]
    public void Reads_the_same_bytes_in_order(int length)
    {
        var data = Data(length);
        var inner = new Trickle(data);
        using var copy = new MemoryStream();
        using (var ahead = new ReadAheadStream(inner, default))
        {
            var buffer = new byte[100_003];
            int n;
            while ((n = ahead.Read(buffer, 0, buffer.Length)) > 0)
            {
                copy.Write(buffer, 0, n);
            }

            Assert.Equal(0, ahead.Read(buffer, 0, buffer.Length));
        }

        Assert.Equal(data, copy.ToArray());
        Assert.True(inner.Disposed);
    }

    [Fact]
    public void The_inner_streams_failure_reaches_the_reader_as_it_was()
    {
        var data = Data(ReadAheadStream.BufferSize * 3);
        using var ahead = new ReadAheadStream(new Trickle(data, failAfter: ReadAheadStream.BufferSize + 10), default);
        var buffer = new byte[65536];
        var read = 0L;
        var error = Assert.Throws<IOException>(() =>
        {
            int n;
            while ((n = ahead.Read(buffer, 0, buffer.Length)) > 0)
            {
                read += n;
            }
        });
        Assert.Equal("connection reset (test)", error.Message);
        Assert.InRange(read, ReadAheadStream.BufferSize, ReadAheadStream.BufferSize + 10);
    }

    [Fact]
    public void Disposing_part_way_stops_the_read_ahead_and_disposes_the_inner_stream()
    {
        var inner = new Trickle(Data(ReadAheadStream.BufferSize * 20));
        var ahead = new ReadAheadStream(inner, default);
        Assert.True(ahead.Read(new byte[10], 0, 10) > 0);
        ahead.Dispose();
        Assert.True(inner.Disposed);
        Assert.Throws<ObjectDisposedException>(() => ahead.Read(new byte[10], 0, 10));
    }
}
