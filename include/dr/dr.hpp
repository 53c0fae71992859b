// The umbrella header: everything a program needs to build, train, save and run a network.
#pragma once

#include "dr/activation.hpp"
#include "dr/augment.hpp"
#include "dr/config.hpp"
#include "dr/data/batch.hpp"
#include "dr/data/dataset.hpp"
#include "dr/data/load.hpp"
#include "dr/data/split_rows.hpp"
#include "dr/dense.hpp"
#include "dr/loss.hpp"
#include "dr/model_file.hpp"
#include "dr/network.hpp"
#include "dr/noise.hpp"
#include "dr/optimizer.hpp"
#include "dr/schedule.hpp"
#include "dr/train.hpp"
#include "dr/train_step.hpp"
