// Writes sample result files for tests/store/check_h5py.py: OUTDIR/finished.h5 (a complete
// sweep with a /theory table and /fits added afterwards) and OUTDIR/partial.h5 (an interrupted
// sweep: pending rows, journal beside it).
#include <cstdlib>
#include <iostream>

#include "ntksweep/store/result_file.hpp"
#include "test_util.hpp"

int main(int argc, char** argv) {
  using namespace ntksweep::store;
  if (argc != 2) {
    std::cerr << "usage: write_sample OUTDIR\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  constexpr std::int64_t kTasks = 12, kCheckpoints = 5;
  const FileSpec spec = test::make_spec(kTasks, kCheckpoints);
  const Table theory{{{"k", std::vector<std::int64_t>{0, 1, 2, 3}},
                      {"eigenvalue", std::vector<double>{0.5, 0.25, 0.0, 0.01}},
                      {"multiplicity", std::vector<std::int64_t>{1, 2, 2, 2}},
                      {"target_coefficient", std::vector<double>{0.0, 0.3, 0.0, 0.1}}},
                     {{"predicted_exponent", 0.5}, {"kernel", std::string("relu")}}};
  {
    ResultFile f = ResultFile::open(dir / "finished.h5", spec, OpenMode::Overwrite);
    f.write_table("theory", theory);
    for (std::int64_t id = kTasks - 1; id >= 0; --id) f.write_result(test::make_result(id, kCheckpoints));
    f.finish("2026-11-29T13:00:00Z");
  }
  update_tables(dir / "finished.h5",
                {{"fits", {{{"slope", std::vector<double>{-0.5, -0.61}},
                            {"activation", std::vector<std::string>{"relu", "swish"}},
                            {"n_points", std::vector<std::int64_t>{6, 6}}},
                           {}}}});
  {
    ResultFile f = ResultFile::open(dir / "partial.h5", spec, OpenMode::Overwrite);
    for (std::int64_t id : {3, 7}) f.write_result(test::make_result(id, kCheckpoints));
    f.close();
  }
  return 0;
}
