namespace Perf.Analytics.Detection;

/// <summary>
/// The SSA state machine of SPEC section 3: collects the first N points, trains, then tracks the smoothed lag vector
/// sigma (incremental anti-diagonal averaging of the projections W W^T z) and the one-step forecast alpha . sigma.
/// </summary>
internal sealed class SsaForecaster
{
    private readonly int _trainingWindowSize;
    private readonly int _requestedWindow;
    private double[]? _training;
    private int _trainingCount;

    private SsaModel? _model;
    private double[] _smoothed = [];     // sigma, L - 1 values
    private double[] _recent = [];       // the buffer: seeded with sigma, then the consumed values (oldest first)
    private double[] _projectionScratch = [];
    private double[] _inputScratch = [];
    private double _forecast;

    public SsaForecaster(int trainingWindowSize, int seasonalityWindowSize)
    {
        _trainingWindowSize = trainingWindowSize;
        _requestedWindow = seasonalityWindowSize;
        _training = new double[trainingWindowSize];
    }

    public bool IsTrained => _model is not null;

    /// <summary>The forecast of the next point (valid once trained).</summary>
    public double Forecast => _forecast;

    public SsaModel? Model => _model;

    /// <summary>Buffers one training point; returns true when it was the N-th one (call <see cref="TrainOnBuffer"/>).</summary>
    public bool AddTrainingPoint(double value)
    {
        double[] training = _training ?? throw new InvalidOperationException("Already trained.");
        training[_trainingCount++] = value;
        return _trainingCount == training.Length;
    }

    /// <summary>Trains on the N buffered points and returns them (for the caller to score).</summary>
    public double[] TrainOnBuffer()
    {
        double[] training = _training ?? throw new InvalidOperationException("Already trained.");
        Train(training);
        return training;
    }

    /// <summary>Trains on exactly N points and initialises the state from the last L of them.</summary>
    public void Train(ReadOnlySpan<double> series)
    {
        if (series.Length != _trainingWindowSize)
        {
            throw new ArgumentException($"Training needs exactly {_trainingWindowSize} points.", nameof(series));
        }

        SsaModel model = SsaTraining.Train(series, _requestedWindow);
        int l = model.Window;
        SetModel(model);

        Span<double> projected = _projectionScratch;
        Project(series[^l..], projected);
        projected[1..].CopyTo(_smoothed);
        _smoothed.CopyTo(_recent, 0);
        _forecast = Dot(model.Alpha, _smoothed);
        _training = null;
        _trainingCount = 0;
    }

    /// <summary>Consumes x: z = [last L - 1 buffered values, x], s = W W^T z, sigma updated, forecast = alpha . sigma.</summary>
    public void Consume(double x)
    {
        SsaModel model = _model ?? throw new InvalidOperationException("Not trained.");
        int l = model.Window;
        Span<double> z = _inputScratch;
        _recent.CopyTo(z);
        z[l - 1] = x;
        Span<double> s = _projectionScratch;
        Project(z, s);

        // sigma_i = ((L-2-i) * old sigma_(i+1) + s_(i+1)) / (L-1-i), ascending i reads the not yet updated sigma_(i+1).
        for (int i = 0; i < l - 2; i++)
        {
            _smoothed[i] = (((l - 2 - i) * _smoothed[i + 1]) + s[i + 1]) / (l - 1 - i);
        }

        _smoothed[l - 2] = s[l - 1];
        _recent.AsSpan(1).CopyTo(_recent);
        _recent[^1] = x;
        _forecast = Dot(model.Alpha, _smoothed);
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_model is not null);
        if (_model is null)
        {
            StateIO.WriteDoubles(writer, _training.AsSpan(0, _trainingCount));
            return;
        }

        writer.Write(_model.Window);
        writer.Write(_model.Rank);
        StateIO.WriteDoubles(writer, _model.Basis);
        StateIO.WriteDoubles(writer, _model.Alpha);
        StateIO.WriteDoubles(writer, _smoothed);
        StateIO.WriteDoubles(writer, _recent);
        writer.Write(_forecast);
    }

    public void Read(BinaryReader reader)
    {
        if (!reader.ReadBoolean())
        {
            int count = StateIO.ReadLength(reader, 0, _trainingWindowSize - 1);
            _training = new double[_trainingWindowSize];
            for (int i = 0; i < count; i++)
            {
                _training[i] = reader.ReadDouble();
            }

            _trainingCount = count;
            return;
        }

        int l = reader.ReadInt32();
        if (l < 2 || l > _requestedWindow)
        {
            throw new InvalidDataException($"SSA state: window {l} outside [2, {_requestedWindow}].");
        }

        int rank = reader.ReadInt32();
        if (rank < 1 || rank > l / 2)
        {
            throw new InvalidDataException($"SSA state: rank {rank} outside [1, {l / 2}].");
        }

        double[] basis = StateIO.ReadDoubles(reader, l * rank);
        double[] alpha = StateIO.ReadDoubles(reader, l - 1);
        SetModel(new SsaModel(l, rank, basis, alpha));
        StateIO.ReadDoubles(reader, l - 1).CopyTo(_smoothed, 0);
        StateIO.ReadDoubles(reader, l - 1).CopyTo(_recent, 0);
        _forecast = reader.ReadDouble();
        _training = null;
        _trainingCount = 0;
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private void SetModel(SsaModel model)
    {
        int l = model.Window;
        _model = model;
        _smoothed = new double[l - 1];
        _recent = new double[l - 1];
        _projectionScratch = new double[l];
        _inputScratch = new double[l];
    }

    // s = W W^T v: coefficients c_k = U_k . v, then s_i = sum_k c_k U_k[i].
    private void Project(ReadOnlySpan<double> v, Span<double> s)
    {
        SsaModel model = _model!;
        int l = model.Window;
        s.Clear();
        for (int k = 0; k < model.Rank; k++)
        {
            ReadOnlySpan<double> u = model.Basis.AsSpan(k * l, l);
            double c = Dot(u, v);
            for (int i = 0; i < l; i++)
            {
                s[i] += c * u[i];
            }
        }
    }
}
