# Exports public tabular datasets from Debian's r-cran-mlbench (small UCI sets) and r-cran-modeldata
# (a few thousand rows, mixed numeric and categorical columns, 14–28 % positives: the shape issue 15
# targets) to CSV for the model benchmark (tests/bench/train/public.bench.ts).
# Usage: Rscript export-mlbench.R <out-dir>
# Each dataset becomes <name>.csv with the attributes, `label` (0/1, the positive class named in
# DATASETS) and `part` (train/test: a seeded stratified 70/30 split, so that XGBoost and our model
# see exactly the same rows), plus <name>.schema.json declaring each attribute's type.
suppressPackageStartupMessages(library(mlbench))
# modeldata is optional: without it only the mlbench sets are exported.
has_modeldata <- suppressWarnings(requireNamespace("modeldata", quietly = TRUE))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "var/bench/public"
dir.create(out, recursive = TRUE, showWarnings = FALSE)

# name = c(class column, positive level, package)
DATASETS <- list(
  PimaIndiansDiabetes2 = c("diabetes", "pos", "mlbench"),
  BreastCancer = c("Class", "malignant", "mlbench"),
  Sonar = c("Class", "M", "mlbench"),
  Ionosphere = c("Class", "bad", "mlbench"),
  HouseVotes84 = c("Class", "republican", "mlbench"),
  # Credit scoring (Ferrer), 4,454 loans, 28 % bad.
  credit_data = c("Status", "bad", "modeldata"),
  # IBM HR attrition, 1,470 employees, 16 % leave.
  attrition = c("Attrition", "Yes", "modeldata"),
  # Telecom churn (MLC++), 5,000 customers, 14 % churn.
  mlc_churn = c("churn", "yes", "modeldata")
)
if (!has_modeldata) DATASETS <- DATASETS[sapply(DATASETS, function(d) d[3] == "mlbench")]

json_string <- function(x) paste0('"', gsub('"', '\\\\"', x), '"')

for (name in names(DATASETS)) {
  e <- new.env()
  data(list = name, package = DATASETS[[name]][3], envir = e)
  df <- as.data.frame(get(name, envir = e))
  target <- DATASETS[[name]][1]
  positive <- DATASETS[[name]][2]
  if ("Id" %in% names(df)) df$Id <- NULL
  label <- as.integer(df[[target]] == positive)
  df[[target]] <- NULL
  types <- character(0)
  for (col in names(df)) {
    v <- df[[col]]
    # Factors whose levels are all numbers (BreastCancer's 1..10 scores) are numbers; other factors
    # (HouseVotes84's y/n) are categories.
    if (is.factor(v) && !any(is.na(suppressWarnings(as.numeric(levels(v)))))) { df[[col]] <- as.numeric(as.character(v)); types[col] <- "numeric" }
    else if (is.factor(v) || is.character(v) || is.logical(v)) { df[[col]] <- as.character(v); types[col] <- "categorical" }
    else types[col] <- "numeric"
  }
  # Attribute names as the feature schema wants them: lower snake case, starting with a letter.
  clean <- tolower(gsub("[^A-Za-z0-9]+", "_", names(df)))
  clean <- ifelse(grepl("^[a-z]", clean), clean, paste0("a_", clean))
  names(df) <- clean
  names(types) <- clean
  set.seed(20251128)
  part <- character(length(label))
  for (cls in c(0L, 1L)) {
    idx <- which(label == cls)
    test <- idx[sample.int(length(idx), round(0.3 * length(idx)))]
    part[idx] <- "train"
    part[test] <- "test"
  }
  df$label <- label
  df$part <- part
  write.csv(df, file.path(out, paste0(name, ".csv")), row.names = FALSE, na = "")
  attrs <- paste0('{"name":', json_string(clean), ',"type":', json_string(types), "}", collapse = ",")
  writeLines(paste0('{"attributes":[', attrs, "]}"), file.path(out, paste0(name, ".schema.json")))
  cat(sprintf("%s: %d rows, %d attributes, %d positives\n", name, nrow(df), length(clean), sum(label)), file = stderr())
}
