namespace MlOps.Core.Tests.Cdf;

/// <summary>A read-only stream that cannot seek and counts the largest read, to prove uploads stream instead of buffering.</summary>
internal sealed class NonSeekableStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public int LargestRead { get; private set; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        LargestRead = Math.Max(LargestRead, count);
        return inner.Read(buffer, offset, count);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
