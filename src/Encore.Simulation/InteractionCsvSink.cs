using System.Text;

namespace Encore.Simulation;

/// <summary>
/// Writes the plays of a simulated service as <c>user,item,weight,timestamp</c> lines (the P-SCALE input other
/// tools read): one line per member, title and session; the weight is the watched time in units of the film's
/// or episode's runtime, the timestamp Unix seconds of the play's start. Streams; holds one line at a time.
/// </summary>
public sealed class InteractionCsvSink : ISimulationSink, IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _used;
    private SimulatedService? _service;
    private byte[][] _memberIds = [];
    private byte[][] _titleIds = [];

    /// <summary>A sink that writes the file at <paramref name="path"/> (created or overwritten).</summary>
    public InteractionCsvSink(string path)
        : this(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.SequentialScan), ownsStream: true) { }

    /// <summary>A sink that writes to <paramref name="stream"/>, and disposes of it with the sink when <paramref name="ownsStream"/>.</summary>
    public InteractionCsvSink(Stream stream, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _ownsStream = ownsStream;
    }

    /// <summary>How many lines were written so far.</summary>
    public long Lines { get; private set; }

    /// <inheritdoc />
    public ValueTask BeginAsync(SimulatedService service, CancellationToken ct)
    {
        _service = service;
        _memberIds = Array.ConvertAll(service.Members.Ids, Encoding.ASCII.GetBytes);
        _titleIds = Array.ConvertAll(service.Catalogue.Ids, Encoding.ASCII.GetBytes);
        Append("user,item,weight,timestamp\n"u8);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(SimulationBatch batch, CancellationToken ct)
    {
        if (_service is null) throw new InvalidOperationException("BeginAsync was not called");
        foreach (var play in batch.PlayList)
        {
            if (_buffer.Length - _used < 128) await FlushAsync(ct).ConfigureAwait(false);
            var span = _buffer.AsSpan(_used);
            int n = 0;
            _memberIds[play.Member].CopyTo(span);
            n += _memberIds[play.Member].Length;
            span[n++] = (byte)',';
            _titleIds[play.Title].CopyTo(span[n..]);
            n += _titleIds[play.Title].Length;
            span[n++] = (byte)',';
            float weight = MathF.Round(Math.Max(play.Weight, 0.001f), 3);
            weight.TryFormat(span[n..], out int w, "0.###", System.Globalization.CultureInfo.InvariantCulture);
            n += w;
            span[n++] = (byte)',';
            (play.TimestampMs / 1000).TryFormat(span[n..], out w, default, System.Globalization.CultureInfo.InvariantCulture);
            n += w;
            span[n++] = (byte)'\n';
            _used += n;
            Lines++;
        }
    }

    /// <inheritdoc />
    public async ValueTask CompleteAsync(CancellationToken ct)
    {
        await FlushAsync(ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        if (_used == 0) return;
        await _stream.WriteAsync(_buffer.AsMemory(0, _used), ct).ConfigureAwait(false);
        _used = 0;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsStream) await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
