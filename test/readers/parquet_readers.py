"""Reads Parquet files with two independent implementations and prints what they see, as JSON.

    python parquet_readers.py pyarrow FILE...   physical/logical types (pyarrow's Parquet schema)
                                                and timestamp values as epoch nanoseconds
    python parquet_readers.py spark OUT FILE... Spark's schema and timestamp values as epoch
                                                microseconds (unix_micros), then the same rows
                                                written back by Spark with its defaults into OUT

Spark runs locally on one core in UTC. Nothing here knows how the files were written.
"""
import json
import sys


def pyarrow_view(paths):
    import pyarrow.parquet as pq

    out = {}
    for path in paths:
        parquet_file = pq.ParquetFile(path)
        schema = parquet_file.schema
        columns = []
        for i in range(len(schema)):
            column = schema.column(i)
            logical = column.logical_type
            columns.append(
                {
                    "name": column.name,
                    "physical": column.physical_type,
                    "logical": None if logical is None or logical.type == "NONE" else str(logical),
                    "converted": column.converted_type,
                }
            )
        table = parquet_file.read()
        timestamps = {}
        for field in table.schema:
            if str(field.type).startswith("timestamp"):
                values = table.column(field.name).cast("timestamp[ns]").cast("int64").to_pylist()
                timestamps[field.name] = {"arrowType": str(field.type), "epochNanos": [str(v) for v in values]}
        out[path] = {"columns": columns, "rows": table.num_rows, "timestamps": timestamps}
    return out


def spark_view(out_dir, paths):
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampType

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("parquet-readers")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "512m")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    result = {"outputTimestampType": spark.conf.get("spark.sql.parquet.outputTimestampType"), "files": {}}
    for index, path in enumerate(paths):
        frame = spark.read.parquet(path)
        timestamp_columns = [f.name for f in frame.schema.fields if isinstance(f.dataType, TimestampType)]
        micros = frame.select([F.unix_micros(F.col(c)).alias(c) for c in timestamp_columns]).collect()
        result["files"][path] = {
            "schema": {f.name: f.dataType.simpleString() for f in frame.schema.fields},
            "epochMicros": {c: [str(row[c]) for row in micros] for c in timestamp_columns},
        }
        target = f"{out_dir}/spark-{index}"
        frame.coalesce(1).write.mode("overwrite").parquet(target)
        result["files"][path]["writtenBack"] = target
    spark.stop()
    return result


if __name__ == "__main__":
    engine = sys.argv[1]
    if engine == "pyarrow":
        print(json.dumps(pyarrow_view(sys.argv[2:])))
    elif engine == "spark":
        print(json.dumps(spark_view(sys.argv[2], sys.argv[3:])))
    else:
        sys.exit(f"unknown engine {engine}")
