// SPDX-License-Identifier: MIT OR Apache-2.0
// C++ on rtmem's malloc: new/delete, new[]/delete[], std::vector and
// std::string, each checked against the heap's statistics.
#include <cstdio>
#include <string>
#include <vector>

#include "check.h"
#include "rtm_malloc.h"

extern "C" void cxx_tests(void);

namespace {

struct Sample {
    int id;
    double value;
};

unsigned live()
{
    rtm_alloc_stats_t st;
    rtm_heap_stats(rtm_malloc_heap(), &st);
    return st.current_allocations;
}

} // namespace

extern "C" void cxx_tests(void)
{
    unsigned base = live();

    Sample *s = new Sample{7, 2.5};
    CHECK(s != nullptr && s->id == 7 && live() == base + 1u);
    delete s;
    CHECK(live() == base);

    int *arr = new int[1000];
    for (int i = 0; i < 1000; i++) {
        arr[i] = i * i;
    }
    CHECK(arr[999] == 998001 && live() == base + 1u);
    delete[] arr;
    CHECK(live() == base);

    {
        std::vector<int> v;
        for (int i = 0; i < 5000; i++) {
            v.push_back(i);
        }
        long sum = 0;
        for (int x : v) {
            sum += x;
        }
        CHECK(sum == 12497500L && v.size() == 5000u);
        std::vector<std::string> words;
        for (int i = 0; i < 50; i++) {
            words.push_back(std::string("a string longer than the small buffer, number ") + std::to_string(i));
        }
        CHECK(words[49] == "a string longer than the small buffer, number 49");
        CHECK(live() > base);
    }
    CHECK(live() == base);
    CHECK(rtm_heap_check(rtm_malloc_heap()) == RTM_OK);
    std::printf("c++: new/delete, new[]/delete[], std::vector, std::string ok\n");
}
